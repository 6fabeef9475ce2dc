import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IncidentListItem, ReadModelQueries } from '@ledger/read-models';
import { found, withEtag } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
export class GetIncidentController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'One incident: its facts as amended, who spoke, counts, whether it is contested' })
  @ApiOkResponse({
    description:
      'ETag is the incident revision, for If-Match on the next command. A merged incident answers 200 too, with mergedInto (the survivor at the end of the chain of merges) and a Link header rel="canonical" to it',
    ...responseBody('Incident'),
  })
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IncidentListItem> {
    const incident = withEtag(reply, found(await this.readModels.incident(incidentId), `Incident ${incidentId}`));
    // A merged incident still answers (its own history stays readable), and says where its claims count now.
    if (incident.mergedInto) reply.header('Link', `</incidents/${incident.mergedInto}>; rel="canonical"`);
    return incident;
  }
}
