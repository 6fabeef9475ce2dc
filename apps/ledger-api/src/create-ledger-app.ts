import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, LedgerAppOptions } from './app.module';
import { installLimitsAndObservability } from './limits-and-observability';
import { installRequestLog } from './platform/logging/request-log.hook';
import { OperatorLogger, createHttpAdapter, setupOpenApi } from './platform';
import { installConditionalGet } from './platform/http/conditional-get';
import { registerCors } from './platform/http/conditional-get.cors';

export const API_DESCRIPTION =
  'Records every claim, denial, correction and retraction that a party makes about an incident as an immutable event, ' +
  "and shows each party's version of each incident and where the versions disagree.";

/** The whole ledger API, initialised and ready for `listen` or `inject`. Used by main and by the e2e tests. */
export const createLedgerApp = async (
  options: LedgerAppOptions & { logLevels?: LogLevel[] | false },
): Promise<NestFastifyApplication> => {
  const adapter = createHttpAdapter(options.config);
  installRequestLog(adapter.getInstance(), options.config, options.requestLogStream);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: options.logLevels ? new OperatorLogger({ logLevels: options.logLevels }) : false,
    abortOnError: false,
  });
  await installLimitsAndObservability(app, options.config);
  const fastify = app.getHttpAdapter().getInstance();
  await registerCors(fastify as never, options.config.corsOrigins ?? []);
  installConditionalGet(fastify as never);
  setupOpenApi(app, { title: 'Incident Ledger', version: '0.1.0', description: API_DESCRIPTION });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
};
