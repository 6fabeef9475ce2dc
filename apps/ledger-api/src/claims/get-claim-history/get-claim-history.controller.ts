import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClaimHistoryDoc, currentClaimOf, CurrentClaimView, ReadModelQueries } from '@ledger/read-models';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { found } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId')
export class GetClaimHistoryController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'A claim as it stands',
    description:
      'What the party says now (the current version: words, assertions, stated time, source), the denials it received and its retraction. Earlier versions, their field-level diffs, who recorded each and the ledger amendments are its history: GET …/history, for auditors.',
  })
  @ApiOkResponse(responseBody('CurrentClaim'))
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
  ): Promise<CurrentClaimView> {
    return currentClaimOf(await this.find(incidentId, claimId));
  }

  // History is for auditors: every read of it is logged.
  @Get('history')
  @Roles('auditor')
  @AuditedRead('claim-history')
  @ApiOperation({
    summary: "A claim's history, for auditors",
    description:
      "Every version with what changed from the previous one (field-level), stated and recorded times, who recorded it and its source; ledger amendments listed apart from the party's corrections; denials received; the retraction. Each read is recorded in the access log. As of a past moment: GET /audit/incidents/{incidentId}/claims/{claimId}/history.",
  })
  @ApiOkResponse(responseBody('ClaimHistory'))
  @ApiProblemResponse(404, 'Not in the ledger')
  async history(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
  ): Promise<ClaimHistoryDoc> {
    return this.find(incidentId, claimId);
  }

  private async find(incidentId: string, claimId: string): Promise<ClaimHistoryDoc> {
    return found(await this.readModels.claimHistory(incidentId, claimId), `Claim ${claimId} of incident ${incidentId}`);
  }
}
