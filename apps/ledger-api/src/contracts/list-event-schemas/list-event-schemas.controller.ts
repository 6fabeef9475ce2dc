import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { eventSchemaIndex, LEDGER_CLOUD_EVENT_SCHEMA_ID } from '@ledger/contracts';
import { Public } from '../../platform/http/request-context';
import { CONTRACT_CACHE_CONTROL } from '../contract-http';
import { responseBody } from '../../platform/openapi/api-response-bodies';

export interface EventSchemaIndexDoc {
  envelope: { schema: string; href: string };
  /** Stored type (`ClaimMade.v1`) → where its data schema is and which CloudEvents `type` carries it. */
  events: Record<string, { cloudEventType: string; dataschema: string; href: string; summary: string }>;
}

@ApiTags('contracts')
@Controller('schemas/events')
export class ListEventSchemasController {
  private readonly index: EventSchemaIndexDoc = {
    envelope: { schema: LEDGER_CLOUD_EVENT_SCHEMA_ID, href: '/schemas/ledger-cloud-event.json' },
    events: Object.fromEntries(
      eventSchemaIndex().map((e) => [
        e.storedType,
        { cloudEventType: e.cloudEventType, dataschema: e.dataschema, href: `/schemas/events/${e.storedType}.json`, summary: e.summary },
      ]),
    ),
  };

  @Get()
  @Public()
  @Header('Cache-Control', CONTRACT_CACHE_CONTROL)
  @ApiOperation({
    summary: 'Index of the published event schemas',
    description:
      'Every stored event type and version the feeds can deliver (old versions included), with its CloudEvents `type`, the `dataschema` URL its events carry and the path this ledger serves that schema at; and the envelope schema.',
  })
  @ApiOkResponse({ description: '{ envelope: { schema, href }, events: { "<StoredType>": { cloudEventType, dataschema, href, summary } } }', ...responseBody('EventSchemaIndex') })
  list(): EventSchemaIndexDoc {
    return this.index;
  }
}
