import { createParamDecorator, type ExecutionContext, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the correlation hook on every request, including ones that fail before routing. */
    correlationId?: string;
  }
}

/** Lower case because Node and Fastify expose incoming header names lower-cased. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
export const MAX_CORRELATION_ID_LENGTH = 128;

/**
 * UUIDs and other opaque ids (W3C trace ids, ULIDs, base64) pass; anything
 * that could smuggle CR/LF, spaces or markup into logs, headers and stored
 * event metadata is replaced.
 */
const SAFE_CORRELATION_ID = new RegExp(`^[A-Za-z0-9._~:+/=-]{1,${MAX_CORRELATION_ID_LENGTH}}$`);

export function isAcceptableCorrelationId(value: string): boolean {
  return SAFE_CORRELATION_ID.test(value);
}

/** The caller's id when it is acceptable, otherwise a fresh UUID. */
export function resolveCorrelationId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const trimmed = value?.trim();
  return trimmed !== undefined && isAcceptableCorrelationId(trimmed) ? trimmed : randomUUID();
}

/** The id the hook assigned, or undefined when the hook is not installed. */
export function correlationIdOf(request: FastifyRequest | { correlationId?: string } | undefined): string | undefined {
  const id = request?.correlationId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Nest's FastifyAdapter types its instance with its own raw-request type (and
 * may bring its own copy of fastify), which is not assignable to
 * FastifyInstance; any object with these members will do.
 */
export interface FastifyHookTarget {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addHook(name: 'onRequest', hook: any): unknown;
  decorateRequest(name: string, value: unknown): unknown;
  hasRequestDecorator(name: string): boolean;
}
type AnyFastifyInstance = FastifyInstance | FastifyHookTarget;

const installed = new WeakSet<AnyFastifyInstance>();

/**
 * Installs an onRequest hook on the root Fastify instance so that every
 * response, including 404s and body-parse errors that never reach a Nest
 * handler, carries `X-Correlation-Id`. Call before the instance is ready;
 * calling twice is harmless.
 */
export function registerCorrelationId(fastify: AnyFastifyInstance): void {
  if (installed.has(fastify)) return;
  installed.add(fastify);
  const instance = fastify as FastifyInstance;
  if (!instance.hasRequestDecorator('correlationId')) instance.decorateRequest('correlationId', undefined);
  instance.addHook('onRequest', (request, reply, done) => {
    const id = resolveCorrelationId(request.headers[CORRELATION_ID_HEADER]);
    request.correlationId = id;
    reply.header(CORRELATION_ID_HEADER, id);
    done();
  });
}

/**
 * Installs the hook from inside a Nest module (no change to main.ts needed):
 * list it in a module's providers. Fastify only.
 */
@Injectable()
export class CorrelationIdInstaller implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') registerCorrelationId(adapter.getInstance<FastifyHookTarget>());
  }
}

/**
 * `handle(@CorrelationId() correlationId: string)`. Without the hook installed
 * the id is still resolved from the header (but not echoed in the response).
 */
export const CorrelationId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const existing = correlationIdOf(request);
  if (existing !== undefined) return existing;
  const id = resolveCorrelationId(request.headers[CORRELATION_ID_HEADER]);
  request.correlationId = id;
  return id;
});
