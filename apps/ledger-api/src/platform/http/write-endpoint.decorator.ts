import { applyDecorators, createParamDecorator, ExecutionContext, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { correlationIdOf, resolveCorrelationId, CORRELATION_ID_HEADER } from './correlation';
import { ApiProblemResponse } from '../openapi/api-problem-response.decorator';
import { DomainProblemDto, RevisionConflictProblemDto, ValidationProblemDto } from '../openapi/problem.dto';
import { Roles } from '../auth';
import { CommandContext } from '../../application/command-context';
import { commandContext } from './command-http';
import { responseBody } from '../openapi/api-response-bodies';

export interface WriteEndpointDocs {
  /** The request DTO and example bodies by name (plain data: the demo's steps, or the use case's own). */
  body: { type: Function; examples: OpenApiExamples };
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

export type OpenApiExamples = Record<string, { summary: string; value: unknown }>;

const examplesOf = ({ examples }: WriteEndpointDocs['body']) => (Object.keys(examples).length > 0 ? { examples } : {});

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
    ApiCreatedResponse({ description: `${docs.created}. ETag is the stream revision, Ledger-Position the place in the global log.`, ...responseBody('Created') }),
    ApiBody({ type: docs.body.type, ...examplesOf(docs.body) }),
    ApiProblemResponse(400, 'Invalid fields, named in errors[].field', ValidationProblemDto),
    ...(docs.notFound ? [ApiProblemResponse(404, docs.notFound, DomainProblemDto)] : []),
    ApiProblemResponse(409, docs.conflict ?? 'If-Match is stale: the body gives currentRevision', RevisionConflictProblemDto),
    ApiProblemResponse(422, docs.rules ?? 'A domain rule refuses the command: code and field say which', DomainProblemDto),
  );

/** The CommandContext of this request: principal, correlation, Idempotency-Key, If-Match. */
export const WriteContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: { id: string } }>();
  if (!req.principal) throw new Error('WriteContext used on a route without an authenticated principal');
  const correlationId = correlationIdOf(req) ?? resolveCorrelationId(req.headers[CORRELATION_ID_HEADER]);
  return commandContext(req, req.principal.id, correlationId);
});
