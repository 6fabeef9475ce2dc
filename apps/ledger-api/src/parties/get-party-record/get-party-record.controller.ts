import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartyRecordDoc } from '@ledger/read-models';
import { found } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { GetPartyRecordQuery } from './get-party-record.query';

@ApiTags('parties')
@ApiBearerAuth()
@Controller('parties/:partyId')
export class GetPartyRecordController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: "A party's record across incidents: claims, corrections, retractions, denials made and received" })
  @ApiOkResponse()
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('partyId') partyId: string): Promise<PartyRecordDoc> {
    return found(await this.queries.execute(new GetPartyRecordQuery(partyId)), `Party ${partyId}`);
  }
}
