export * from './event-store.port';
export { SqliteEventStore, SQLITE_SCHEMA_VERSION } from './sqlite/sqlite-event-store';
export type { SqliteEventStoreOptions, SqliteStorageSettings } from './sqlite/sqlite-event-store';
