import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { ProblemException } from '../../platform/problem/problem.exception';
import { exemptFromRequestDeadline } from '../../platform/http/request-deadline';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
/** Routes that take a streamed NDJSON body; everywhere else the media type stays refused (415). */
export const NDJSON_ROUTES: ReadonlySet<string> = new Set(['/imports']);

const mediaTypeOf = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim().toLowerCase() || undefined;

/**
 * Hands an NDJSON body to its route as the raw request stream, unread and
 * unbounded by LEDGER_BODY_LIMIT_BYTES: the route reads it line by line
 * under its own bounds, so an import never sits in memory whole. Another
 * media type on such a route is refused before any byte of it is read.
 */
@Injectable()
export class NdjsonBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(NDJSON_CONTENT_TYPE, (request: FastifyRequest, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => {
      if (!NDJSON_ROUTES.has(request.routeOptions.url ?? '')) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
        return;
      }
      // Read only as fast as the lines are stored: the idle-socket timeout bounds it, not the whole-request one.
      exemptFromRequestDeadline(request);
      done(null, payload);
    });
    fastify.addHook('preParsing', async (request: FastifyRequest) => {
      if (!NDJSON_ROUTES.has(request.routeOptions.url ?? '')) return;
      const mediaType = mediaTypeOf(request.headers['content-type']);
      if (mediaType !== NDJSON_CONTENT_TYPE) {
        throw new ProblemException(
          415,
          'unsupported-media-type',
          `${mediaType ? `Content-Type ${mediaType}` : 'A request without a Content-Type'} is not accepted here; send ${NDJSON_CONTENT_TYPE}, one command per line.`,
          {},
          { title: 'Unsupported media type' },
        );
      }
    });
  }
}
