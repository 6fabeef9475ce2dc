export { startEsdbDouble } from './esdb-double';
export type { EsdbDoubleUser } from './access';
export type { EsdbDouble, EsdbDoubleEvent, EsdbDoubleMode, EsdbDoubleOptions, EsdbFault, RpcName, StopHow } from './esdb-double';
