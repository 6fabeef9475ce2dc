import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentListItem, InvalidQueryError, Page, ReadModelQueries } from '@ledger/read-models';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { ListIncidentsQueryDto } from './list-incidents.dto';
import { minGradeOf } from '../../platform/http/dto/min-grade-query';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class ListIncidentsController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Incidents for dashboards: filter by party, category, contested, date range, words and the grade of their claims; paginated' })
  @ApiOkResponse({ description: '{ items, total, limit, offset }', ...jsonOrCsv(responseBody('IncidentList')) })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  async list(@QueryParams() q: ListIncidentsQueryDto): Promise<Page<IncidentListItem>> {
    if (q.from && q.to && q.from > q.to) {
      throw new ProblemException(400, 'invalid-date-range', '`from` must not be after `to`', { field: 'from' });
    }
    const filter = { partyId: q.party, category: q.category, contested: q.contested, occurredFrom: q.from, occurredTo: q.to, search: q.q, minGrade: minGradeOf(q), limit: q.limit, offset: q.offset };
    try {
      return await this.readModels.listIncidents(filter);
    } catch (error) {
      if (error instanceof InvalidQueryError) throw new ProblemException(400, 'invalid-query', error.message, { field: error.field });
      throw error;
    }
  }
}
