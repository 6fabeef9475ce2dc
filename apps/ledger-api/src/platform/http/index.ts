export * from './correlation';
export * from './create-http-adapter';
export * from './request-deadline';
