import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ActivityStats, ReadModelQueries } from '@ledger/read-models';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { responseBody } from '../../platform/openapi/api-response-bodies';
import { answerStats } from '../shared/stats-http';
import { ActivityStatsQueryDto } from './get-activity-stats.dto';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats/activity')
export class GetActivityStatsController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'Counts of claims, denials, corrections and retractions, by time bucket and by party or category',
    description:
      'For tiles (`bucket=none`) and charts (`bucket=day|week|month` on the `clock` asked for: occurred, stated or recorded time). ' +
      'One SQL aggregate over the read models; the weak ETag names their checkpoint, so an unchanged ledger answers 304 without counting again. ' +
      'A stated time counts at the start of its precision (a claim stated "in the week of 1 June" counts on that week\'s Monday).',
  })
  @ApiOkResponse({ description: 'Cells with at least one entry, ordered by bucket then group; totals over them', ...jsonOrCsv(responseBody('ActivityStats')) })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  get(@QueryParams() q: ActivityStatsQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ActivityStats | undefined> {
    return answerStats(this.readModels, request, reply, () =>
      this.readModels.aggregateView('activity', {
        bucket: q.bucket ?? 'none',
        clock: q.clock ?? 'recorded',
        by: q.by ?? 'none',
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.party !== undefined ? { partyId: q.party } : {}),
        ...(q.category !== undefined ? { category: q.category } : {}),
      }),
    );
  }
}
