export * from './event-hash';
export * from './merkle/merkle-tree';
export * from './signing/notary-key';
export * from './signing/checkpoint';
export * from './integrity-streams';
export * from './verification/ledger-verification';
export * from './verification/verify-event-store';
export * from './whole-log';
