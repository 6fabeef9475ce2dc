import { Controller, Get, Param, Query as QueryParams, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AsOf, AsOfError, AuditReads, compareAsOf, parseAsOfValue } from '@ledger/read-models';
import { AuditedRead } from '../shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { uuidParam } from '../../platform/http/uuid-param';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { FieldError, RequestValidationException } from '../../platform/problem/validation.pipe';
import { GetIncidentChangesQueryDto } from './get-incident-changes.dto';
import { auditAnswer, auditPage } from '../audit-http';
import { Clock } from '../../application/clock';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/incidents/:incidentId/changes')
export class GetIncidentChangesController {
  constructor(
    private readonly reads: AuditReads,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('incident-changes')
  @ApiOperation({
    summary: 'What changed in an incident between two moments on one clock',
    description:
      "Per party whose version changed: claims added, corrected (version numbers and field-level diff), retracted, denials made and received, the ledger's amendments of its entries (apart from its own corrections), its version before and after and how its current account moved. " +
      'For the incident: its facts before and after and amendments of them; which points of disagreement appeared, disappeared or changed. `fromPosition`/`toPosition` are the log positions the two moments correspond to. ' +
      "Pages by the incident's claims and denials at either moment, in log order (`limit`, then `after=<page.next>`): a page holds what changed in its entries, the parties' versions listing only those; the incident, the accounts' changes and the disagreements are whole on every page, the incident's own events counted on the first. " +
      'Without `limit` the answer is whole up to 1,000 claims and denials, and past that their first 1,000 with `page.next`.',
  })
  @ApiOkResponse({ description: 'IncidentChanges', ...responseBody('IncidentChanges') })
  @ApiProblemResponse(400, 'Bad from/to/clock, from after to, or a bad limit/after, named in errors[].field')
  @ApiProblemResponse(404, 'The incident was not in the ledger at the later moment')
  get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @QueryParams() q: GetIncidentChangesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const clock = q.clock ?? 'recorded';
    const errors: FieldError[] = [];
    const parse = (value: string, field: string): AsOf | undefined => {
      try {
        return parseAsOfValue(clock, value, field);
      } catch (error) {
        if (!(error instanceof AsOfError)) throw error;
        errors.push({ field, messages: [error.message] });
        return undefined;
      }
    };
    // Both bounds parsed before refusing, so that a request with two bad bounds hears of both.
    const from = parse(q.from, 'from');
    const to = q.to === undefined ? undefined : parse(q.to, 'to');
    if (errors.length || !from) throw new RequestValidationException(errors);
    if (to && compareAsOf(from, to) > 0) throw new RequestValidationException([{ field: 'from', messages: ['from must not be after to'] }]);
    // `to` absent: now on from's clock, the log's head on the position clock (read where the fold is).
    const page = auditPage(q);
    return auditAnswer(this.reads, { kind: 'changes', incidentId, from, ...(to ? { to } : {}), now: this.clock.now().toISOString(), ...(page ? { page } : {}) }, reply);
  }
}
