import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { CORRELATION_ID_HEADER } from './correlation';

/**
 * Browsers on the configured origins (LEDGER_CORS_ORIGINS) may call the API; none when the list is empty (the
 * default). Preflights are answered before authentication (a preflight carries no token). A page must be able to read
 * the ETag (If-Match, If-None-Match), where a write landed, and the problem headers (Retry-After, the correlation id).
 */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Ledger-Position', 'Idempotent-Replayed', 'Read-Models', 'Retry-After', 'Content-Disposition', CORRELATION_ID_HEADER];
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', CORRELATION_ID_HEADER];

export const registerCors = async (fastify: FastifyInstance, origins: readonly string[]): Promise<void> => {
  if (origins.length === 0) return;
  await fastify.register(cors, {
    origin: [...origins],
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    // Bearer tokens travel in a header the page sets: no cookies to share.
    credentials: false,
  });
};
