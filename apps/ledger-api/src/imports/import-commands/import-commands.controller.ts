import { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CorrelationId, CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { toProblem } from '../../platform/problem/problem-details';
import { ImportCommandsCommand } from './import-commands.command';
import { ImportLineDto, ImportSummaryDto } from './import-commands.dto';
import { ImportCommandsResult } from './import-commands.handler';
import { ImportAbortedError } from './import-run';
import { ImportTooLargeError } from './ndjson-lines';
import { NDJSON_CONTENT_TYPE } from '../shared/streamed-body.parser';

const EXAMPLE = [
  '{"key":"party-az","action":"registerParty","body":{"partyId":"azerbaijan","name":"Republic of Azerbaijan","kind":"state"}}',
  '{"key":"inc-1","action":"reportIncident","body":{"title":"Shelling near Talish","summary":"","occurred":{"from":"2019-05-30","to":"2019-05-31","precision":"day"},"location":{"name":"Talish","precision":"settlement"},"category":{"eventType":"explosions-remote-violence","subEventType":"shelling-artillery-missile-attack","tags":[]}}}',
  '{"key":"claim-1","action":"makeClaim","incident":"inc-1","body":{"partyId":"azerbaijan","statement":{"text":"Our positions came under fire.","verbatim":false},"statedAt":{"at":"2019-05-31","precision":"day"},"source":{"title":"Press release"}}}',
].join('\n');

/** The abort of an import already under way, as a problem that still says what was imported before it. */
const abortedProblem = (error: ImportAbortedError, request: FastifyRequest): ProblemException => {
  const { cause, summary } = error;
  const headers = { connection: 'close' };
  if (cause instanceof ImportTooLargeError) {
    return new ProblemException(413, 'import-too-large', `${cause.message} The lines before the bound were handled; see summary.`, { maxTotalBytes: cause.limitBytes, summary }, { headers, title: 'Import too large' });
  }
  if (request.raw.destroyed || (cause as { code?: string } | null)?.code === 'ECONNRESET') {
    return new ProblemException(400, 'body-aborted', 'The request body ended before it was complete; the lines read before that were handled.', { summary }, { headers });
  }
  const { status, body } = toProblem(cause);
  return new ProblemException(status, body.code, `${body.detail} The import stopped after ${summary.lines} lines; lines already imported stay imported and replay when sent again.`, { summary }, {
    headers: status === 503 ? { ...headers, 'retry-after': '5' } : headers,
    title: body.title,
    cause,
  });
};

@ApiTags('imports')
@ApiBearerAuth()
@ApiExtraModels(ImportLineDto)
@Controller('imports')
export class ImportCommandsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @Roles('recorder')
  @ApiConsumes(NDJSON_CONTENT_TYPE)
  @ApiOperation({
    summary: 'Bulk import: NDJSON, one command per line, each idempotent by its own key',
    description: [
      'Each line is a JSON object `{key, action, body, …references}` (schema ImportLine): `action` is registerParty, reportIncident,',
      'makeClaim, denyClaim, correctClaim, retractClaim, gradeSource or amendEntry; `body` is exactly the JSON body of that route and is checked',
      'by the same DTO, handler and ledger rules; `incident`/`claim` name an earlier line by its key (or `incidentId`/`claimId` an',
      'existing entity by id) in place of the path parameters. Ids the ledger assigns derive from the principal and the key, so the',
      'same file sent again appends nothing and reports every line as replayed; a key reused for different content fails that line.',
      'The body is streamed line by line (LEDGER_IMPORT_LINE_LIMIT_BYTES per line, LEDGER_IMPORT_LIMIT_BYTES in all, 0 = no bound;',
      'LEDGER_BODY_LIMIT_BYTES does not apply). A bad line is reported with its line number, key and the problem its route would',
      'have answered, and the rest go on; a line referring to a failed line fails too. Answers 200 with the summary once every line',
      'is handled and the read models show them, or after 3 s with `readModels.state: pending`.',
    ].join(' '),
  })
  @ApiBody({
    description: 'application/x-ndjson: one ImportLine per line',
    required: true,
    schema: { type: 'string', description: `One ImportLine (${getSchemaPath(ImportLineDto)}) JSON object per line`, example: EXAMPLE },
  })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'Shared by every event of the import' })
  @ApiOkResponse({ type: ImportSummaryDto, description: 'Every line handled: counts, the last position, the read models, and the failed lines' })
  @ApiProblemResponse(400, 'Empty body (empty-body), or the body broke off (body-aborted)')
  @ApiProblemResponse(413, 'The body exceeds LEDGER_IMPORT_LIMIT_BYTES (import-too-large; the problem carries the summary of the lines before)')
  @ApiProblemResponse(415, 'Content-Type is not application/x-ndjson')
  @ApiProblemResponse(503, 'The event store became unavailable; the problem carries the summary so far')
  async import(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<ImportCommandsResult> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new ProblemException(400, 'empty-body', 'The import has no body; send NDJSON, one command per line.', {}, { title: 'Empty request body' });
    }
    // Not destroyed on an early stop: the answer still has to go out on this connection.
    const source = body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    let result: ImportCommandsResult;
    try {
      result = await this.commands.execute(new ImportCommandsCommand(source, principal.id, correlationId));
    } catch (error) {
      if (error instanceof ImportAbortedError) throw abortedProblem(error, request);
      throw error;
    }
    if (result.lines === 0) {
      throw new ProblemException(400, 'empty-body', 'The import body has no lines; send NDJSON, one command per line.', {}, { title: 'Empty request body' });
    }
    reply.header('Read-Models', result.readModels.state);
    return result;
  }
}
