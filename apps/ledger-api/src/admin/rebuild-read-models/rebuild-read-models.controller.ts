import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionHost } from '../../application/projection.host';
import { CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { PostgresReadModelsHost } from '../../application/postgres-read-models.host';
import { ProblemException } from '../../platform/problem';
import { readModelStatusBody } from '../shared/read-model-status';
import { RebuildReadModelsCommand } from './rebuild-read-models.command';
import { responseBody } from '../../platform/openapi/api-response-bodies';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/read-models/rebuild')
export class RebuildReadModelsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly projections: ProjectionHost,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Drop every read model and rebuild it from the event log, then follow the log again',
    description:
      'Answers when the rebuild is done. Reads during the rebuild may see partial read models. A file too damaged to be ' +
      'emptied is moved aside first. A failed rebuild answers 503 with the status; it is retried with backoff (see GET /admin/read-models).',
  })
  @ApiOkResponse({ description: 'The projection status after the rebuild (checkpoint = log position reached)', ...responseBody('ReadModelStatus') })
  @ApiProblemResponse(409, 'Among replicas on PostgreSQL, this replica does not hold the projector lease: rebuild on the one that does')
  async rebuild(@CurrentPrincipal() principal: Principal) {
    const refusal = this.projections.runner instanceof PostgresReadModelsHost ? this.projections.runner.rebuildRefusal() : undefined;
    if (refusal) throw new ProblemException(409, 'not-the-projector', `Not rebuilt by this replica: ${refusal}.`, readModelStatusBody(this.projections));
    const status = await this.commands.execute(new RebuildReadModelsCommand(principal.id));
    const body = readModelStatusBody(this.projections);
    if (status.state === 'failed') {
      const retryAt = body.supervision.nextRetryAt;
      const retryAfter = retryAt ? Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000)) : 5;
      throw new ProblemException(503, 'read-models-rebuild-failed', `The rebuild failed: ${status.lastError?.message ?? 'unknown error'}. It is retried${retryAt ? ` at ${retryAt}` : ''}.`, body, {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    return body;
  }
}
