import type * as EsdbClient from '@eventstore/db-client';

let loaded: typeof EsdbClient | undefined;

/**
 * @eventstore/db-client (and gRPC under it), loaded the first time the EventStoreDB adapter needs it. Loading it with
 * the barrel cost every process and thread of the ledger about 0.1 s of CPU at start, the embedded store's too, and
 * each worker thread loads the barrel.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const esdbClient = (): typeof EsdbClient => (loaded ??= require('@eventstore/db-client') as typeof EsdbClient);
