export { startEsdbDouble } from './esdb-double';
export type { EsdbDouble, EsdbDoubleEvent, EsdbDoubleMode, EsdbDoubleOptions, EsdbFault, RpcName, StopHow } from './esdb-double';
