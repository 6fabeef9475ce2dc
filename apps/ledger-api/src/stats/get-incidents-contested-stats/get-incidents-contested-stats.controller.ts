import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IncidentsContestedStats, ReadModelQueries } from '@ledger/read-models';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { responseBody } from '../../platform/openapi/api-response-bodies';
import { answerStats } from '../shared/stats-http';
import { IncidentsContestedQueryDto } from './get-incidents-contested-stats.dto';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats/incidents-contested')
export class GetIncidentsContestedStatsController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'Contested and uncontested incidents over time',
    description:
      'Reported incidents by when they happened (`clock=occurred`, the start of the occurrence) or were recorded, each contested or not as the parties\' versions stand now. ' +
      'One SQL aggregate over the incidents table; the weak ETag names the read models\' checkpoint.',
  })
  @ApiOkResponse({ description: 'One row per bucket with any incident; totals over them', ...jsonOrCsv(responseBody('IncidentsContestedStats')) })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  get(@QueryParams() q: IncidentsContestedQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentsContestedStats | undefined> {
    return answerStats(this.readModels, request, reply, () =>
      this.readModels.aggregateView('incidentsContested', {
        bucket: q.bucket ?? 'none',
        clock: q.clock ?? 'occurred',
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.category !== undefined ? { category: q.category } : {}),
      }),
    );
  }
}
