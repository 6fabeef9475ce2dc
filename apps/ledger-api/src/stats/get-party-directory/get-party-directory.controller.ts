import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_LIMIT, PartyDirectory, ReadModelQueries } from '@ledger/read-models';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { responseBody } from '../../platform/openapi/api-response-bodies';
import { answerStats } from '../shared/stats-http';
import { PartyDirectoryQueryDto } from './get-party-directory.dto';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats/parties')
export class GetPartyDirectoryController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'Parties with their counts, for pickers and directories: registration and counts, without every incident',
    description:
      'A page of the parties in id order (registered, or only named by entries), each with the counts its record (`GET /parties/{partyId}`) gives, ' +
      'counted from the read models\' indexes: on a large ledger a party\'s record lists thousands of incidents, this lists none. ' +
      'The weak ETag names the read models\' checkpoint.',
  })
  @ApiOkResponse({ description: '{ items, total, limit, offset }', ...jsonOrCsv(responseBody('PartyDirectory')) })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  get(@QueryParams() q: PartyDirectoryQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartyDirectory | undefined> {
    return answerStats(this.readModels, request, reply, () =>
      this.readModels.aggregateView('partyDirectory', { search: q.q, limit: q.limit ?? DEFAULT_PAGE_LIMIT, offset: q.offset ?? 0 }),
    );
  }
}
