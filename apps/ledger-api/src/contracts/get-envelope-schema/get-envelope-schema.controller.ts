import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { JsonSchema, LEDGER_CLOUD_EVENT_SCHEMA } from '@ledger/contracts';
import { Public } from '../../platform/http/request-context';
import { CONTRACT_CACHE_CONTROL, JSON_SCHEMA_CONTENT_TYPE } from '../contract-http';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('contracts')
@Controller('schemas')
export class GetEnvelopeSchemaController {
  @Get('ledger-cloud-event.json')
  @Public()
  @Header('Content-Type', JSON_SCHEMA_CONTENT_TYPE)
  @Header('Cache-Control', CONTRACT_CACHE_CONTROL)
  @ApiProduces('application/schema+json')
  @ApiOperation({
    summary: 'JSON Schema of the CloudEvents envelope the feeds deliver',
    description: 'CloudEvents 1.0 attributes plus the ledger extensions (position, stream, streamrevision, recordedby, correlationid, causationid, hash, prevhash). Draft-07.',
  })
  @ApiOkResponse({ description: 'A JSON Schema (draft-07)', ...responseBody('JsonSchemaDocument') })
  schema(): JsonSchema {
    return LEDGER_CLOUD_EVENT_SCHEMA;
  }
}
