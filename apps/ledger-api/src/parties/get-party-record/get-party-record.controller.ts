import { Controller, Get, Param, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_ENTRIES_LIMIT, PartyRecordDoc, ReadModelQueries } from '@ledger/read-models';
import { found, pagedRead } from '../../platform/http/query-http';
import { PartyRecordQueryDto } from './get-party-record.dto';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('parties')
@ApiBearerAuth()
@Controller('parties/:partyId')
export class GetPartyRecordController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: "A party's record across incidents: claims, corrections, retractions, denials made and received",
    description:
      'In the order the party first spoke in each incident. A party that spoke in many incidents, or many times in one, comes a page at a time: `limit` incidents and at most 1,000 entries (claims, corrections, retractions, denials made and received), then `after=<page.next>`; ' +
      'a page may end inside an incident, and the next one then begins with the rest of it (a retraction comes with the claim it retracts). `counts` always cover the whole record. ' +
      'With neither, the whole record (no `page`) when the party spoke in at most 1,000 incidents and has at most 1,000 entries; a larger record comes as its first page, with `page`.',
  })
  @ApiOkResponse({ description: '`page` is present when a page was asked for; `page.next` is null on the last page', ...responseBody('PartyRecord') })
  @ApiProblemResponse(400, 'Invalid limit or after, named in errors[].field')
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('partyId') partyId: string, @QueryParams() q: PartyRecordQueryDto): Promise<PartyRecordDoc> {
    const paged = q.limit !== undefined || q.after !== undefined;
    const page = paged ? { limit: q.limit ?? DEFAULT_ENTRIES_LIMIT, ...(q.after !== undefined ? { after: q.after } : {}) } : undefined;
    return found(await pagedRead(() => this.readModels.partyRecord(partyId, page)), `Party ${partyId}`);
  }
}
