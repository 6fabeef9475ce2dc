import { applyDecorators, createParamDecorator, ExecutionContext, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { correlationIdOf, resolveCorrelationId, CORRELATION_ID_HEADER } from '../../platform/http/correlation';
import { ProblemDto } from '../../platform/openapi/problem.dto';
import { Roles } from '../../platform/auth';
import { CommandContext } from '../command-context';
import { commandContext } from './command-http';

export interface WriteEndpointDocs {
  summary: string;
  description?: string;
  created: string;
  /** When the command targets an existing stream: what a 404 means. */
  notFound?: string;
  /** What a 422 means for this command. */
  rules?: string;
  /** What a 409 means besides a stale If-Match. */
  conflict?: string;
}

/** Every recorder command shares its verb, role, headers and error contract; only the words differ. */
export const WriteEndpoint = (docs: WriteEndpointDocs): MethodDecorator =>
  applyDecorators(
    Post(),
    Roles('recorder'),
    ApiBearerAuth(),
    ApiOperation({ summary: docs.summary, ...(docs.description ? { description: docs.description } : {}) }),
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; 409 with the current revision if the stream changed since' }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and writes nothing' }),
    ApiHeader({ name: 'X-Correlation-Id', required: false }),
    ApiCreatedResponse({ description: `${docs.created}. ETag is the stream revision, Ledger-Position the place in the global log.` }),
    ApiResponse({ status: 400, type: ProblemDto, description: 'Invalid fields, named in errors[].field' }),
    ...(docs.notFound ? [ApiResponse({ status: 404, type: ProblemDto, description: docs.notFound })] : []),
    ApiResponse({ status: 409, type: ProblemDto, description: docs.conflict ?? 'If-Match is stale' }),
    ApiResponse({ status: 422, type: ProblemDto, description: docs.rules ?? 'A domain rule refuses the command' }),
  );

/** The CommandContext of this request: principal, correlation, Idempotency-Key, If-Match. */
export const WriteContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: { id: string } }>();
  if (!req.principal) throw new Error('WriteContext used on a route without an authenticated principal');
  const correlationId = correlationIdOf(req) ?? resolveCorrelationId(req.headers[CORRELATION_ID_HEADER]);
  return commandContext(req, req.principal.id, correlationId);
});
