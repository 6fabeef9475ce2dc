import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { ProblemException } from '../../platform/problem/problem.exception';
import { exemptFromRequestDeadline } from '../../platform/http/request-deadline';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
export const CSV_CONTENT_TYPE = 'text/csv';
/** Routes that take a streamed body, and the one media type each takes; everywhere else these stay refused (415). */
export const STREAMED_ROUTES: ReadonlyMap<string, { mediaType: string; what: string }> = new Map([
  ['/imports', { mediaType: NDJSON_CONTENT_TYPE, what: 'one command per line' }],
  ['/imports/datasets/:dataset', { mediaType: CSV_CONTENT_TYPE, what: "the dataset's CSV in its published layout" }],
]);

const mediaTypeOf = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim().toLowerCase() || undefined;

/**
 * Hands an NDJSON (or a dataset's CSV) body to its route as the raw request
 * stream, unread and unbounded by LEDGER_BODY_LIMIT_BYTES: the route reads it
 * line by line (record by record) under its own bounds, so an import never
 * sits in memory whole. Another media type on such a route is refused before
 * any byte of it is read.
 */
@Injectable()
export class StreamedBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const mediaType of [NDJSON_CONTENT_TYPE, CSV_CONTENT_TYPE]) {
      fastify.addContentTypeParser(mediaType, (request: FastifyRequest, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => {
        if (STREAMED_ROUTES.get(request.routeOptions.url ?? '')?.mediaType !== mediaType) {
          done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
          return;
        }
        // Read only as fast as the lines (rows) are stored: the idle-socket timeout bounds it, not the whole-request one.
        exemptFromRequestDeadline(request);
        done(null, payload);
      });
    }
    fastify.addHook('preParsing', async (request: FastifyRequest) => {
      const route = STREAMED_ROUTES.get(request.routeOptions.url ?? '');
      if (!route) return;
      const mediaType = mediaTypeOf(request.headers['content-type']);
      if (mediaType !== route.mediaType) {
        throw new ProblemException(
          415,
          'unsupported-media-type',
          `${mediaType ? `Content-Type ${mediaType}` : 'A request without a Content-Type'} is not accepted here; send ${route.mediaType}, ${route.what}.`,
          {},
          { title: 'Unsupported media type' },
        );
      }
    });
  }
}
