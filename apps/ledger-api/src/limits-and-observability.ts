import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { installHttpMetrics } from './metrics/http-metrics.hook';
import { LedgerMetrics } from './metrics/ledger-metrics.service';
import { installEarlyAuthentication, LedgerConfig, TokenRegistry } from './platform';
import { registerRateLimit } from './platform/http/rate-limit';
import { installReadYourWrites } from './platform/http/read-your-writes.hook';
import { ProjectionHost } from './application/projection.host';

/**
 * Fastify-level hooks, installed before Nest registers its routes: request metrics, then, at preParsing (after the
 * request log is attached, before any body byte is read), authentication of routes that need a role and the
 * per-token rate limit, so that neither an unauthenticated nor a throttled client gets its body read; last, before a
 * write's answer is serialised, read-your-writes.
 */
export async function installLimitsAndObservability(app: NestFastifyApplication, config: LedgerConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const metrics = app.get(LedgerMetrics);
  const tokens = app.get(TokenRegistry);
  installHttpMetrics(fastify, metrics);
  installEarlyAuthentication(fastify, () => tokens);
  await registerRateLimit(fastify, config.rateLimit, () => metrics.rateLimited.inc());
  installReadYourWrites(fastify, app.get(ProjectionHost));
}
