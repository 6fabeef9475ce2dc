import { Controller, Get, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PartyVersionsDoc } from '@ledger/read-models';
import { found, withEtag } from '../../ledger/http/query-http';
import { Roles } from '../../ledger/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { GetPartyVersionsQuery } from './get-party-versions.query';
import { uuidParam } from '../../ledger/http/uuid-param';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/versions')
export class GetPartyVersionsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: "Each party's version of the incident, and the points where the versions disagree",
    description:
      'Per party: its claims in current form (corrections and ledger amendments applied), retracted claims marked, denials made and received, and a merged current account. Disagreements: responsible parties, ceasefire, casualty figures per side, when, where, and every active denial.',
  })
  @ApiOkResponse({ description: 'ETag is the incident revision' })
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartyVersionsDoc> {
    return withEtag(reply, found(await this.queries.execute(new GetPartyVersionsQuery(incidentId)), `Incident ${incidentId}`));
  }
}
