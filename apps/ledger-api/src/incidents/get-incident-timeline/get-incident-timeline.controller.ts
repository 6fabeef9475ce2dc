import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IncidentTimelineDoc } from '@ledger/read-models';
import { found } from '../../ledger/http/query-http';
import { ProblemDto, Roles } from '../../ledger/http/request-context';
import { GetIncidentTimelineQuery } from './get-incident-timeline.query';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/timeline')
export class GetIncidentTimelineController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Every entry of the incident in recorded order, with stated and recorded times' })
  @ApiOkResponse()
  @ApiResponse({ status: 404, type: ProblemDto })
  async get(@Param('incidentId', new ParseUUIDPipe()) incidentId: string): Promise<IncidentTimelineDoc> {
    return found(await this.queries.execute(new GetIncidentTimelineQuery(incidentId)), `Incident ${incidentId}`);
  }
}
