export * from './stated-time';
export * from './as-of';
export * from './time-travel';
export * from './incident-changes';
export * from './audit-reads';
