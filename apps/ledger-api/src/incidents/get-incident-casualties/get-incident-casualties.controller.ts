import { Controller, Get, Param, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentCasualties, ReadModelQueries } from '@ledger/read-models';
import { CsvFormatQuery, jsonOrCsv } from '../../platform/http/conditional-get.csv';
import { found } from '../../platform/http/query-http';
import { Roles } from '../../platform/http/request-context';
import { uuidParam } from '../../platform/http/uuid-param';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { responseBody } from '../../platform/openapi/api-response-bodies';

export class CasualtiesQueryDto {
  @CsvFormatQuery()
  format?: 'json' | 'csv';
}

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents/:incidentId/casualties')
export class GetIncidentCasualtiesController {
  constructor(private readonly readModels: ReadModelQueries) {}

  @Get()
  @Roles('reader')
  @ApiOperation({
    summary: "Each party's casualty figures for the incident (best, low, high per side), from its current account",
    description: 'Every party that spoke is listed; `figures: null` means the party said nothing about casualties. Read by key from the party_positions table: the cost does not grow with the incident\'s claims.',
  })
  @ApiOkResponse(jsonOrCsv(responseBody('IncidentCasualties')))
  @ApiProblemResponse(404, 'Not in the ledger')
  async get(@Param('incidentId', uuidParam('incidentId')) incidentId: string, @QueryParams() _q: CasualtiesQueryDto): Promise<IncidentCasualties> {
    return found(await this.readModels.incidentCasualties(incidentId), `Incident ${incidentId}`);
  }
}
