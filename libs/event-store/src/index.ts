export * from './event-store.port';
export { SqliteEventStore, SQLITE_SCHEMA_VERSION } from './sqlite/sqlite-event-store';
export type { SqliteEventStoreOptions, SqliteStorageSettings } from './sqlite/sqlite-event-store';
export { EsdbEventStore } from './esdb/esdb-event-store';
export type { EsdbEventStoreOptions } from './esdb/esdb-event-store';
export { serveSqliteWriterThread } from './sqlite/sqlite-event-store';
export { isSqliteWriterData } from './sqlite/sqlite-writer-thread';
export { COMMIT_BELL_BYTES, createCommitBell, ringCommitBell, watchCommitBell } from './sqlite/commit-bell';
export { latencyTraceOn, trace, traceNow } from './latency-trace';
