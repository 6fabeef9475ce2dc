import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PartyRecordDoc, ReadModelQueries } from '@ledger/read-models';
import { Roles } from '../../platform/http/request-context';
import { jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { ListPartiesQueryDto } from './list-parties.dto';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('parties')
@ApiBearerAuth()
@Controller('parties')
export class ListPartiesController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: 'Registered parties with their record counts; paginated',
    description:
      "Each party's record as `GET /parties/{partyId}` gives it, whole when the party spoke in at most 20 incidents with at most 100 entries, else its first 20 incidents and at most 100 entries with `page` " +
      '(follow `page.next` on `GET /parties/{partyId}`); `counts` always cover the whole record. For pickers and directories, `GET /stats/parties` lists no incidents.',
  })
  @ApiOkResponse({ description: '{ items, total, limit, offset }', ...jsonOrCsv(responseBody('PartyList')) })
  list(@QueryParams() q: ListPartiesQueryDto): Promise<Page<PartyRecordDoc>> {
    return this.readModels.listPartyRecords({ limit: q.limit, offset: q.offset });
  }
}
