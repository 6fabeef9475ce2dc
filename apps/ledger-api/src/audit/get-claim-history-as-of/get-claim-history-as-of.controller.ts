import { Controller, Get, Param, Query as QueryParams, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditReads, parseAsOf } from '@ledger/read-models';
import { Clock } from '../../application/clock';
import { AuditedRead } from '../shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { uuidParam } from '../../platform/http/uuid-param';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { asOfInput, auditAnswer, nowAsOf } from '../audit-http';
import { GetClaimHistoryAsOfQueryDto } from './get-claim-history-as-of.dto';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/incidents/:incidentId/claims/:claimId/history')
export class GetClaimHistoryAsOfController {
  constructor(
    private readonly reads: AuditReads,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('claim-history-as-of')
  @ApiOperation({
    summary: 'Every version of a claim, as of a moment (now by default)',
    description:
      "Each version in full with what changed from the previous one (field-level: the words and every assertion), who recorded it (recordedBy), its stated and recorded times and source; the ledger's amendments apart from the party's corrections, each with what it changed; the denials the claim received; its retraction. " +
      'Optional as-of: at most one of recordedAsOf, statedAsOf, position, as for the versions as of a moment.',
  })
  @ApiOkResponse({ description: 'The claim-history document as of the moment, with asOf and position', ...responseBody('ClaimHistoryAsOf') })
  @ApiProblemResponse(400, 'Bad or conflicting as-of parameters, named in errors[].field')
  @ApiProblemResponse(404, 'The claim was not in the ledger at that moment, or is not a claim of this incident')
  get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
    @QueryParams() q: GetClaimHistoryAsOfQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const asOf = asOfInput(() => parseAsOf(q)) ?? nowAsOf(this.clock.now());
    return auditAnswer(this.reads, { kind: 'claimHistoryAsOf', incidentId, claimId, asOf }, reply);
  }
}
