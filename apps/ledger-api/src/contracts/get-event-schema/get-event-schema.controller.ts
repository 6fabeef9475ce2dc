import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { EVENT_DATA_SCHEMAS, JsonSchema } from '@ledger/contracts';
import { Public } from '../../platform/http/request-context';
import { CONTRACT_CACHE_CONTROL, JSON_SCHEMA_CONTENT_TYPE } from '../contract-http';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('contracts')
@Controller('schemas/events')
export class GetEventSchemaController {
  @Get(':name')
  @Public()
  @Header('Content-Type', JSON_SCHEMA_CONTENT_TYPE)
  @Header('Cache-Control', CONTRACT_CACHE_CONTROL)
  @ApiProduces('application/schema+json')
  @ApiParam({ name: 'name', example: 'ClaimMade.v1.json', description: 'The stored type and version, then .json' })
  @ApiOperation({
    summary: "JSON Schema of one event type's data",
    description:
      'Generated from the TypeScript definitions the ledger itself uses; its `$id` is the `dataschema` of the CloudEvents of that type. Draft-07.',
  })
  @ApiOkResponse({ description: 'A JSON Schema (draft-07)', ...responseBody('JsonSchemaDocument') })
  @ApiProblemResponse(404, 'No event type of that name and version')
  schema(@Param('name') name: string): JsonSchema {
    const storedType = name.endsWith('.json') ? name.slice(0, -'.json'.length) : undefined;
    // An own-property check: `constructor.json` must not find Object's prototype.
    if (storedType === undefined || !Object.prototype.hasOwnProperty.call(EVENT_DATA_SCHEMAS, storedType)) {
      throw new ProblemException(404, 'not-found', `No event schema is named ${name}; the index is at /schemas/events.`);
    }
    return EVENT_DATA_SCHEMAS[storedType];
  }
}
