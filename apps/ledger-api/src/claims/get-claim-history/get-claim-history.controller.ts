import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClaimHistoryDoc } from '@ledger/read-models';
import { found } from '../../ledger/http/query-http';
import { Roles } from '../../ledger/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { GetClaimHistoryQuery } from './get-claim-history.query';
import { uuidParam } from '../../ledger/http/uuid-param';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId')
export class GetClaimHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get(['', 'history'])
  @Roles('reader')
  @ApiOperation({
    summary: 'A claim and every version of it',
    description:
      'Each version with what changed from the previous one (field-level), stated and recorded times, who recorded it and its source; ledger amendments listed apart from the party\'s corrections; denials received; the retraction.',
  })
  @ApiOkResponse()
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
  ): Promise<ClaimHistoryDoc> {
    return found(await this.queries.execute(new GetClaimHistoryQuery(incidentId, claimId)), `Claim ${claimId} of incident ${incidentId}`);
  }
}
