export * from './config';
export * from './auth';
export * from './problem';
export * from './openapi';
export * from './http';
export * from './platform.module';
export * from './logging/operator.logger';
