import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';

/** Keeps a line small whatever the URL a client sends. */
const MAX_LOGGED_URL_LENGTH = 512;

interface RequestLine {
  reqId: string;
  req: { id: string; method: string; url: string };
  principal?: { id: string; roles: readonly string[] };
  route?: string;
  res?: { statusCode: number };
  responseTime?: number;
}

/** The line of one request, built field by field: nothing else of the request (no header, so no token) can reach it. */
const lineOf = (request: FastifyRequest, reply: FastifyReply | undefined): RequestLine => {
  const id = request.correlationId ?? String(request.id);
  const principal = request.principal;
  return {
    reqId: id,
    req: { id, method: request.method, url: request.url.slice(0, MAX_LOGGED_URL_LENGTH) },
    principal: principal ? { id: principal.id, roles: principal.roles } : undefined,
    route: request.is404 ? undefined : request.routeOptions.url,
    ...(reply ? { res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) } : {}),
  };
};

/**
 * One JSON line per answered request, written by pino from Fastify's own response hook: `reqId` and `req.id` (the
 * correlation id), `req` (method, url cut to 512 characters), `principal` (id and roles, once authenticated), `route`
 * (the pattern), `res.statusCode` and `responseTime` (ms); "request completed" at info, "request errored" at warn for
 * a 5xx (the problem filter logs the fault itself at error, with its stack), "request aborted" when the client went
 * away first. LOG_LEVEL warn keeps only the failed ones.
 *
 * The same lines nestjs-pino and pino-http wrote, without what they cost every request on the HTTP thread: a Nest
 * middleware (which puts Fastify's middie engine, with its URL decoding, in front of every route), an
 * AsyncLocalStorage scope, two child loggers and a redaction pass per line.
 */
export function installRequestLog(fastify: FastifyInstance, config: Pick<LedgerConfig, 'logLevel'>, stream?: DestinationStream): Logger {
  const logger = stream ? pino({ level: config.logLevel }, stream) : pino({ level: config.logLevel });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode >= 500) {
      if (logger.isLevelEnabled('warn')) logger.warn(lineOf(request, reply), 'request errored');
    } else if (logger.isLevelEnabled('info')) {
      logger.info(lineOf(request, reply), 'request completed');
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    // No answer went out: the line has no status and no response time.
    if (logger.isLevelEnabled('info')) logger.info(lineOf(request, undefined), 'request aborted');
    done();
  });
  return logger;
}
