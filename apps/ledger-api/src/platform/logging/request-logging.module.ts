import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';

/** The Fastify request behind each raw one, for the log line written when the response is done. */
const requestOf = new WeakMap<IncomingMessage, FastifyRequest>();
/** Keeps a line small whatever the URL a client sends. */
const MAX_LOGGED_URL_LENGTH = 512;

/**
 * Ties each raw request to its Fastify request and makes the correlation id its id. An onRequest hook that must be
 * installed after the correlation hook and before NestFactory.create registers the middleware runner (so before
 * pino-http's middleware).
 */
export function installRequestLogContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    requestOf.set(request.raw, request);
    // Nest's middleware runner copies request.id onto the raw request, where pino-http takes it as the line's id.
    if (request.correlationId !== undefined) (request as { id: string }).id = request.correlationId;
    done();
  });
}

const principalOf = (req: IncomingMessage) => {
  const principal = requestOf.get(req)?.principal;
  return principal ? { id: principal.id, roles: principal.roles } : undefined;
};

/**
 * One JSON line per answered request through nestjs-pino and pino-http: `reqId` (the correlation id), `req` (method,
 * url cut to 512 characters), `principal` (id and roles, once authenticated), `route` (the pattern), `res.statusCode`
 * and `responseTime` (ms). Headers are not logged at all, so neither the bearer token nor any other credential can
 * reach the log; `redact` removes them again should a serializer ever change. Answers at info, 5xx at warn (the
 * problem filter logs the fault itself at error, with its stack): LOG_LEVEL warn keeps only the failed ones.
 */
@Module({})
export class RequestLoggingModule {
  static forRoot(config: Pick<LedgerConfig, 'logLevel'>, stream?: DestinationStream): DynamicModule {
    return {
      module: RequestLoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: [
            {
              level: config.logLevel,
              redact: { paths: ['req.headers', 'res.headers', '*.authorization', '*.cookie'], remove: true },
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'warn' : 'info'),
              // pino-http makes up an Error for a 5xx: its stack would only point into pino-http.
              customErrorObject: (_req: IncomingMessage, _res: ServerResponse, _error: Error, line: Record<string, unknown>) => {
                const { err: _made, ...rest } = line;
                return rest;
              },
              customProps: (req: IncomingMessage) => {
                const request = requestOf.get(req);
                return { principal: principalOf(req), route: request?.is404 ? undefined : request?.routeOptions.url };
              },
              serializers: {
                req: (req: { id?: string; method?: string; url?: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url?.slice(0, MAX_LOGGED_URL_LENGTH),
                }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
            },
            ...(stream ? [stream] : []),
          ] as never,
        }),
      ],
    };
  }
}
