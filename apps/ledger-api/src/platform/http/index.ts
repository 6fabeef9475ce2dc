export * from './correlation';
export * from './create-http-adapter';
