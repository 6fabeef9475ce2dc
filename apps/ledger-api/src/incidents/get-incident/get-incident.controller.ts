import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IncidentListItem } from '@ledger/read-models';
import { found, withEtag } from '../../ledger/http/query-http';
import { ProblemDto, Roles } from '../../ledger/http/request-context';
import { GetIncidentQuery } from './get-incident.query';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
export class GetIncidentController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'One incident: its facts as amended, who spoke, counts, whether it is contested' })
  @ApiOkResponse({ description: 'ETag is the incident revision, for If-Match on the next command' })
  @ApiResponse({ status: 404, type: ProblemDto })
  async get(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IncidentListItem> {
    return withEtag(reply, found(await this.queries.execute(new GetIncidentQuery(incidentId)), `Incident ${incidentId}`));
  }
}
