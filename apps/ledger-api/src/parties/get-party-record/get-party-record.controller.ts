import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartyRecordDoc, ReadModelQueries } from '@ledger/read-models';
import { found } from '../../platform/http/query-http';
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
  @ApiOperation({ summary: "A party's record across incidents: claims, corrections, retractions, denials made and received" })
  @ApiOkResponse(responseBody('PartyRecord'))
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('partyId') partyId: string): Promise<PartyRecordDoc> {
    return found(await this.readModels.partyRecord(partyId), `Party ${partyId}`);
  }
}
