import { type ArgumentsHost, Catch, type ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_ID_HEADER, correlationIdOf } from '../http/correlation';
import { PROBLEM_CONTENT_TYPE, ProblemException } from './problem.exception';
import { toProblem, type ProblemContext } from './problem-details';

/**
 * Renders everything thrown while handling an HTTP request as
 * `application/problem+json` (RFC 9457). Registered globally it also sees
 * Fastify's own errors (body parsing) and unknown routes, because Nest routes
 * Fastify's error and not-found handlers through the global filters.
 *
 * Register with `{ provide: APP_FILTER, useClass: ProblemDetailsFilter }` or
 * `app.useGlobalFilters(new ProblemDetailsFilter())`.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest | undefined>();
    const response = http.getResponse<FastifyReply | ServerResponse>();

    const ctx = requestContext(request);
    const problem = toProblem(methodNotAllowed(exception, request) ?? exception, ctx);
    this.log(problem.logLevel, problem.status, problem.body.code, ctx, exception);

    const headers: Record<string, string> = { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE };
    if (ctx.correlationId !== undefined) headers[CORRELATION_ID_HEADER] = ctx.correlationId;
    // A Buffer, not a string or object: Fastify would append "; charset=utf-8"
    // (meaningless for JSON media types, RFC 8259 §11) or re-serialize.
    const payload = Buffer.from(JSON.stringify(problem.body), 'utf8');

    if (isFastifyReply(response)) {
      if (response.sent) return;
      void response.code(problem.status).headers(headers).send(payload);
      return;
    }
    // Middleware runs on the raw Node response.
    if (response.headersSent) return;
    response.statusCode = problem.status;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.end(payload);
  }

  private log(level: 'error' | 'warn' | 'debug', status: number, code: string, ctx: ProblemContext, exception: unknown): void {
    const where = `${status} ${code} at ${ctx.instance ?? '?'}${ctx.correlationId ? ` [${ctx.correlationId}]` : ''}`;
    if (level === 'error') {
      this.logger.error(`${where}: ${describe(exception)}`, exception instanceof Error ? exception.stack : undefined);
    } else if (level === 'warn') {
      this.logger.warn(`${where}: ${describe(exception)}`);
    } else {
      this.logger.debug(where);
    }
  }
}

function requestContext(request: FastifyRequest | undefined): ProblemContext {
  if (!request) return {};
  const url = (request as { url?: string }).url ?? (request as { raw?: { url?: string } }).raw?.url;
  const contentType = request.headers?.['content-type'];
  let bodyLimitBytes: number | undefined;
  try {
    bodyLimitBytes = request.routeOptions?.bodyLimit;
  } catch {
    // Not a Fastify request (raw middleware request).
  }
  return {
    instance: url === undefined ? undefined : url.split('?')[0],
    correlationId: correlationIdOf(request),
    bodyLimitBytes,
    contentType: typeof contentType === 'string' ? contentType : undefined,
  };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Fastify sends every unrouted request to the not-found handler, whatever the reason; a path that exists under other
 * methods is a 405 whose Allow header lists them (RFC 9110 §15.5.6), not a 404.
 */
function methodNotAllowed(exception: unknown, request: FastifyRequest | undefined): ProblemException | undefined {
  if (!(exception instanceof NotFoundException) || request?.is404 !== true || typeof request.server?.findRoute !== 'function') return undefined;
  const path = request.url.split('?')[0];
  const allowed = METHODS.filter((method) => method !== request.method && request.server.findRoute({ method, url: path }) !== null);
  if (allowed.length === 0) return undefined;
  return new ProblemException(
    405,
    'method-not-allowed',
    `${request.method} is not allowed on ${path.slice(0, 200)}; allowed: ${allowed.join(', ')}.`,
    { allowed },
    { headers: { Allow: allowed.join(', ') } },
  );
}

function isFastifyReply(r: FastifyReply | ServerResponse): r is FastifyReply {
  return typeof (r as FastifyReply).code === 'function' && 'raw' in r;
}

function describe(exception: unknown): string {
  if (exception instanceof Error) {
    const cause = (exception as { cause?: unknown }).cause;
    return `${exception.name}: ${exception.message}${cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message})` : ''}`;
  }
  return `non-error thrown: ${String(exception)}`;
}
