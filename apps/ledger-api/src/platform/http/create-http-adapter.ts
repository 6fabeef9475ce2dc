import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { LedgerConfig } from '../config/ledger-config';
import { registerCorrelationId } from './correlation';

export interface HttpAdapterOptions {
  bodyLimitBytes: LedgerConfig['bodyLimitBytes'];
  /** Honour X-Forwarded-* (only behind a proxy you control). */
  trustProxy?: boolean;
}

/**
 * The API speaks JSON only. Nest would add a urlencoded parser and Fastify
 * ships a text/plain one; with them a form post or plain text reaches the
 * validation pipe and comes back as a confusing 400 instead of a 415.
 * Fastify's built-in JSON parser stays, with the same body limit and
 * prototype-poisoning protection that Nest's wrapper would add.
 */
class JsonOnlyFastifyAdapter extends FastifyAdapter {
  override registerParserMiddleware(prefix?: string, _rawBody?: boolean): void {
    this._pathPrefix = prefix ? (prefix.startsWith('/') ? prefix : `/${prefix}`) : undefined;
  }
}

/**
 * `NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(config))`.
 * Also installs the correlation-id hook, so it covers every request.
 */
export function createHttpAdapter(options: HttpAdapterOptions): FastifyAdapter {
  const adapter = new JsonOnlyFastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    // Nest's logger reports; Fastify's own per-request logging would duplicate it.
    logger: false,
  });
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser('text/plain');
  registerCorrelationId(fastify);
  return adapter;
}
