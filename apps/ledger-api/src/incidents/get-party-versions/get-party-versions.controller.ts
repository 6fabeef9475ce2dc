import { Controller, Get, Param, Query as QueryParams, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PartyVersionsPage, ReadModelQueries } from '@ledger/read-models';
import { PartyVersionsQueryDto } from './get-party-versions.dto';
import { minGradeOf } from '../../platform/http/dto/min-grade-query';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { entriesPage, found, pagedRead, withEtag } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/versions')
export class GetPartyVersionsController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: "Each party's version of the incident, and the points where the versions disagree",
    description:
      'Per party: its claims in current form (corrections and ledger amendments applied), retracted claims marked, denials made and received, and a merged current account. Disagreements: responsible parties, ceasefire, casualty figures per side, when, where, and every active denial. ' +
      'A large incident comes a page at a time: `limit` claims and denials in log order under their parties, then `after=<page.next>` for the next page; ' +
      'the parties, their current accounts, the disagreements and the amendments are always whole. `claim=<claimId>`: that one claim with all its versions, wherever it stands in the incident. ' +
      '`minReliability=A..F` and/or `minCredibility=1..6`: count only claims whose current version is graded at least so well (Admiralty system; ungraded claims are left out): the claims listed, the denials of them, the accounts and the disagreements are then computed from those claims alone (`gradeFilter` says which minimum applied).',
  })
  @ApiOkResponse({ description: 'ETag is the incident revision; `page.next` is null on the last page', ...jsonOrCsv(responseBody('PartyVersionsPage')) })
  @ApiProblemResponse(400, 'Invalid limit, after, claim, minReliability or minCredibility, named in errors[].field')
  @ApiProblemResponse(404, 'Not in the ledger (the incident, or the claim asked for in it)')
  async get(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @QueryParams() q: PartyVersionsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartyVersionsPage> {
    const minGrade = minGradeOf(q);
    const doc = await pagedRead(() => this.readModels.partyVersions(incidentId, { ...entriesPage(q), ...(q.claim !== undefined ? { claimId: q.claim } : {}), minGrade }));
    // Entries can name an incident before its report is in the log; until then it is not in the ledger.
    const incident = found(doc?.incident ? doc : undefined, `Incident ${incidentId}`);
    if (q.claim !== undefined) found(incident.parties.some((p) => p.claims.length > 0) ? incident : undefined, `Claim ${q.claim} of incident ${incidentId}`);
    return withEtag(reply, incident);
  }
}
