import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LedgerConfig } from '../config/ledger-config';
import { ProblemException } from '../problem/problem.exception';

/**
 * Per-principal rate limit through @fastify/rate-limit, counted in memory per process: `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` on every counted answer, and a 429 problem with `Retry-After` beyond.
 * Keyed by the principal the early authentication hook found (so by token, whatever the address); requests without
 * a valid token reach only public routes (the others are refused with 401 first) and are not counted.
 */
export async function registerRateLimit(
  fastify: FastifyInstance,
  limits: LedgerConfig['rateLimit'],
  onRejected: () => void,
): Promise<void> {
  if (limits.max === 0) return;
  await fastify.register(rateLimit, {
    global: true,
    // After the early authentication hook (also preParsing, registered first), before the body is read.
    hook: 'preParsing',
    max: limits.max,
    timeWindow: limits.windowMs,
    enableDraftSpec: true,
    keyGenerator: (request: FastifyRequest) => request.principal?.id ?? '',
    allowList: (request: FastifyRequest) => request.principal === undefined,
    onExceeded: () => onRejected(),
    errorResponseBuilder: (_request, context) =>
      new ProblemException(
        429,
        'rate-limited',
        `More than ${context.max} requests in ${Math.round(limits.windowMs / 1000)} s for this token; retry in ${context.after}.`,
        { limit: context.max },
        { title: 'Too many requests', headers: { 'Retry-After': String(Math.max(1, Math.ceil(context.ttl / 1000))) } },
      ),
  });
}
