import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { LedgerConfig } from '../config/ledger-config';
import { ProblemException } from '../problem/problem.exception';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem.exception';
import { toProblem } from '../problem/problem-details';
import { registerRequestDeadline } from './request-deadline';
import { correlationIdOf, registerCorrelationId, resolveCorrelationId, CORRELATION_ID_HEADER } from './correlation';

// Fastify refuses some URLs before routing (bad percent-encoding, over-long
// parameters); without this they would bypass the problem format entirely.
const frameworkErrors = (
  error: { code?: string; message: string },
  request: { url: string; headers: Record<string, string | string[] | undefined> },
  reply: { code(status: number): unknown; header(name: string, value: string): unknown; send(body: unknown): unknown },
): void => {
  const urlProblem =
    error.code === 'FST_ERR_BAD_URL'
      ? new ProblemException(400, 'invalid-url', 'The request URL is not valid (e.g. a broken percent-encoding).')
      : error;
  const correlationId = correlationIdOf(request as never) ?? resolveCorrelationId(request.headers[CORRELATION_ID_HEADER]);
  const rendered = toProblem(urlProblem, { instance: request.url.split('?')[0].slice(0, 200), correlationId });
  reply.code(rendered.status);
  for (const [name, value] of Object.entries(rendered.headers)) reply.header(name, value);
  reply.header(CORRELATION_ID_HEADER, correlationId);
  reply.header('content-type', PROBLEM_CONTENT_TYPE);
  reply.send(JSON.stringify(rendered.body));
};

/** What Node's HTTP parser refuses before a request exists (headers too large or too slow, bytes that are no HTTP). */
const CONNECTION_PROBLEMS: Readonly<Record<string, { status: number; code: string; detail: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request-timeout', detail: 'The request was not received in time.' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'request-header-fields-too-large',
    detail: 'The request headers are larger than the ledger accepts.',
  },
};
const MALFORMED_REQUEST = {
  status: 400,
  code: 'malformed-request',
  // Also what a body longer than its Content-Length becomes: the rest is parsed as the next request.
  detail: 'The bytes received are not a valid HTTP/1.1 request (e.g. more body than its Content-Length declared).',
};

/**
 * Node answers these itself through the server's clientError event, with no request, route or reply; Fastify's
 * default handler writes its own JSON. The problem is written raw on the socket, which is then closed: after a parse
 * error nothing more on it can be trusted.
 */
const clientErrorProblem = (error: Error & { code?: string }, socket: Socket): void => {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  // The bytes after a complete request on this connection were refused while its answer was being prepared: that
  // request is answered first (it was valid, and may have written), then the problem. A request still incomplete
  // (its body timed out) is the one refused: answered now.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req?.complete) {
    inFlight.once('finish', () => writeClientErrorProblem(error, socket));
    inFlight.once('close', () => socket.destroy());
    return;
  }
  writeClientErrorProblem(error, socket);
};

const writeClientErrorProblem = (error: Error & { code?: string }, socket: Socket): void => {
  if (socket.destroyed || !socket.writable) return;
  const { status, code, detail } = CONNECTION_PROBLEMS[error.code ?? ''] ?? MALFORMED_REQUEST;
  const correlationId = resolveCorrelationId(undefined);
  const body = JSON.stringify(toProblem(new ProblemException(status, code, detail), { correlationId }).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `${CORRELATION_ID_HEADER}: ${correlationId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
};

export interface HttpAdapterOptions {
  bodyLimitBytes: LedgerConfig['bodyLimitBytes'];
  /** Honour X-Forwarded-* (only behind a proxy you control). */
  trustProxy?: boolean;
  /** Timeouts against slow or idle clients; Node's defaults (no request timeout) when absent. */
  http?: LedgerConfig['http'];
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

/** Fastify's names for the limits; a 0 that Fastify would read as "use my default" is passed as Node's "none" (0). */
const serverTimeouts = (limits: LedgerConfig['http']) => ({
  connectionTimeout: limits.connectionTimeoutMs,
  // The whole-request deadline is registerRequestDeadline's, so that a streamed import can be spared it.
  requestTimeout: 0,
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
});

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
    // Long enough for any id the ledger issues, short enough to refuse junk early. Under routerOptions: Fastify 5
    // deprecates router options at the top level (FSTDEP022 at every start).
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: frameworkErrors as never,
    ...(options.http ? serverTimeouts(options.http) : {}),
    clientErrorHandler: clientErrorProblem,
  });
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser('text/plain');
  registerCorrelationId(fastify);
  if (options.http) registerRequestDeadline(fastify, options.http.requestTimeoutMs);
  return adapter;
}
