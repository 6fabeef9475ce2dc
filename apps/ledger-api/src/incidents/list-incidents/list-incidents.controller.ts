import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentListItem, Page } from '@ledger/read-models';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { ListIncidentsQueryDto } from './list-incidents.dto';
import { ListIncidentsQuery } from './list-incidents.query';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class ListIncidentsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Incidents for dashboards: filter by party, category, contested, date range; paginated' })
  @ApiOkResponse({ description: '{ items, total, limit, offset }' })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  list(@QueryParams() q: ListIncidentsQueryDto): Promise<Page<IncidentListItem>> {
    if (q.from && q.to && q.from > q.to) {
      throw new ProblemException(400, 'invalid-date-range', '`from` must not be after `to`', { field: 'from' });
    }
    return this.queries.execute(
      new ListIncidentsQuery({
        partyId: q.party,
        category: q.category,
        contested: q.contested,
        occurredFrom: q.from,
        occurredTo: q.to,
        limit: q.limit,
        offset: q.offset,
      }),
    );
  }
}
