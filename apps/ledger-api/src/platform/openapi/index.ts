export * from './problem.dto';
export * from './api-problem-response.decorator';
export * from './setup-openapi';
