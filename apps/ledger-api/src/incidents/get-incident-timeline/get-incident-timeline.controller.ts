import { Controller, Get, Param, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentTimelinePage, ReadModelQueries } from '@ledger/read-models';
import { EntriesListQueryDto } from '../shared/entries-list-query.dto';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { entriesPage, found, pagedRead } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/timeline')
export class GetIncidentTimelineController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'Every entry of the incident in recorded order, with stated and recorded times',
    description: '`limit` entries a page; pass `after=<page.next>` for the next page (null on the last).',
  })
  @ApiOkResponse(jsonOrCsv(responseBody('IncidentTimelinePage')))
  @ApiProblemResponse(400, 'Invalid limit or after, named in errors[].field')
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('incidentId', uuidParam('incidentId')) incidentId: string, @QueryParams() q: EntriesListQueryDto): Promise<IncidentTimelinePage> {
    return found(await pagedRead(() => this.readModels.incidentTimeline(incidentId, entriesPage(q))), `Incident ${incidentId}`);
  }
}
