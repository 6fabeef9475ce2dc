export * from './cloud-event';
export * from './schemas/event-schema-catalog';
export * from './schemas';
export * from './asyncapi/ledger-asyncapi';
