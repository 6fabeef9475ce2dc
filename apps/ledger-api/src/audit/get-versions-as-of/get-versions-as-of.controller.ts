import { Controller, Get, Param, Query as QueryParams, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditReads, parseAsOf } from '@ledger/read-models';
import { Clock } from '../../application/clock';
import { AuditedRead } from '../shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { uuidParam } from '../../platform/http/uuid-param';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { asOfInput, auditAnswer, auditPage, nowAsOf } from '../audit-http';
import { GetVersionsAsOfQueryDto } from './get-versions-as-of.dto';
import { minGradeOf } from '../../platform/http/dto/min-grade-query';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/incidents/:incidentId/versions')
export class GetVersionsAsOfController {
  constructor(
    private readonly reads: AuditReads,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('incident-versions-as-of')
  @ApiOperation({
    summary: "Each party's version of the incident and the disagreements, as of a moment",
    description:
      'Give at most one of recordedAsOf (as the ledger knew it then), statedAsOf (what the parties had said by then, including what was recorded later) or position (the global log up to it); none means now, on the recorded clock. ' +
      'The answer is the party-versions read model folded from the log up to that moment, plus `asOf` (the moment used, normalised) and `position` (the global position of the last event of the incident it includes). ' +
      '`minReliability`/`minCredibility` count only claims graded at least so well by then, as on the present versions. ' +
      'Claims and denials page as on the present versions (`limit`, then `after=<page.next>`; the parties, accounts and disagreements always whole); without `limit` the answer is whole up to 1,000 of them, and past that their first 1,000 with `page.next`.',
  })
  @ApiOkResponse({ description: 'The party-versions document as of the moment, with asOf and position', ...responseBody('VersionsAsOf') })
  @ApiProblemResponse(400, 'Bad or conflicting as-of parameters, named in errors[].field')
  @ApiProblemResponse(404, 'The incident was not in the ledger at that moment')
  get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @QueryParams() q: GetVersionsAsOfQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const asOf = asOfInput(() => parseAsOf(q)) ?? nowAsOf(this.clock.now());
    const minGrade = minGradeOf(q);
    const page = auditPage(q);
    return auditAnswer(this.reads, { kind: 'versionsAsOf', incidentId, asOf, ...(minGrade ? { minGrade } : {}), ...(page ? { page } : {}) }, reply);
  }
}
