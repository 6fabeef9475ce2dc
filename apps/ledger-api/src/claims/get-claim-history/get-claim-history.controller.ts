import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClaimHistoryDoc } from '@ledger/read-models';
import { found } from '../../ledger/http/query-http';
import { ProblemDto, Roles } from '../../ledger/http/request-context';
import { GetClaimHistoryQuery } from './get-claim-history.query';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId')
export class GetClaimHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get(['', 'history'])
  @Roles('reader')
  @ApiOperation({
    summary: 'A claim and every version of it',
    description:
      'Each version with what changed from the previous one (field-level), stated and recorded times, who recorded it and its source; ledger amendments listed apart from the party\'s corrections; denials received; the retraction.',
  })
  @ApiOkResponse()
  @ApiResponse({ status: 404, type: ProblemDto })
  async get(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Param('claimId', new ParseUUIDPipe()) claimId: string,
  ): Promise<ClaimHistoryDoc> {
    return found(await this.queries.execute(new GetClaimHistoryQuery(incidentId, claimId)), `Claim ${claimId} of incident ${incidentId}`);
  }
}
