import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import { AsyncApiDocument, buildLedgerAsyncApi } from '@ledger/contracts';
import { Public } from '../../platform/http/request-context';
import { CONTRACT_CACHE_CONTROL } from '../contract-http';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform';
import { responseBody } from '../../platform/openapi/api-response-bodies';

const DESCRIPTION =
  'The integrator feeds (/feed/stream, /feed/events) as an AsyncAPI 3.0.0 document: one message per stored event type and version, each a CloudEvent whose `data` schema is embedded, the cut-off frame, the delivery guarantees and the authentication. Its server is the address this document was fetched from.';

@ApiTags('contracts')
@Controller()
export class GetAsyncApiController {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  @Get('asyncapi.json')
  @Public()
  @Header('Cache-Control', CONTRACT_CACHE_CONTROL)
  @ApiOperation({ summary: 'AsyncAPI document of the integrator feeds (JSON)', description: DESCRIPTION })
  @ApiOkResponse({ description: 'An AsyncAPI 3.0.0 document', ...responseBody('AsyncApiDocument') })
  json(@Req() request: FastifyRequest): AsyncApiDocument {
    return this.document(request);
  }

  @Get('asyncapi.yaml')
  @Public()
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', CONTRACT_CACHE_CONTROL)
  @ApiProduces('application/yaml')
  @ApiOperation({ summary: 'AsyncAPI document of the integrator feeds (YAML)', description: DESCRIPTION })
  @ApiOkResponse({ description: 'The same document as /asyncapi.json, in YAML', schema: { type: 'string' } })
  yaml(@Req() request: FastifyRequest): string {
    // No anchors or aliases: the shared schemas are $refs already, and some YAML tools refuse aliases.
    return stringify(this.document(request), { aliasDuplicateObjects: false, lineWidth: 0 });
  }

  private document(request: FastifyRequest): AsyncApiDocument {
    return buildLedgerAsyncApi({ origin: this.config.notary.origin, serverUrl: `${request.protocol}://${request.host}` });
  }
}
