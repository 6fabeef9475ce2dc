import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentTimelineDoc } from '@ledger/read-models';
import { found } from '../../ledger/http/query-http';
import { Roles } from '../../ledger/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { GetIncidentTimelineQuery } from './get-incident-timeline.query';
import { uuidParam } from '../../ledger/http/uuid-param';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/timeline')
export class GetIncidentTimelineController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Every entry of the incident in recorded order, with stated and recorded times' })
  @ApiOkResponse()
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('incidentId', uuidParam('incidentId')) incidentId: string): Promise<IncidentTimelineDoc> {
    return found(await this.queries.execute(new GetIncidentTimelineQuery(incidentId)), `Incident ${incidentId}`);
  }
}
