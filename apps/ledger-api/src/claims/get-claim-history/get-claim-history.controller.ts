import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClaimHistoryDoc } from '@ledger/read-models';
import { AuditedRead } from '../../ledger/http/audited-read.decorator';
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

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'A claim and every version of it',
    description:
      "Each version with what changed from the previous one (field-level), stated and recorded times, who recorded it and its source; ledger amendments listed apart from the party's corrections; denials received; the retraction.",
  })
  @ApiOkResponse()
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
  ): Promise<ClaimHistoryDoc> {
    return this.find(incidentId, claimId);
  }

  // History is for auditors (issue 4): the same document as above, under the path auditors use, and every read of it is logged.
  @Get('history')
  @Roles('auditor')
  @AuditedRead('claim-history')
  @ApiOperation({
    summary: "A claim's history, for auditors",
    description:
      'The claim with every version, as above; auditors only, each read recorded in the access log. The same history as of a past moment: GET /audit/incidents/{incidentId}/claims/{claimId}/history.',
  })
  @ApiOkResponse()
  @ApiProblemResponse(404, 'Not in the ledger')
  async history(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
  ): Promise<ClaimHistoryDoc> {
    return this.find(incidentId, claimId);
  }

  private async find(incidentId: string, claimId: string): Promise<ClaimHistoryDoc> {
    return found(await this.queries.execute(new GetClaimHistoryQuery(incidentId, claimId)), `Claim ${claimId} of incident ${incidentId}`);
  }
}
