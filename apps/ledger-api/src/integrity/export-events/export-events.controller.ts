import { Readable } from 'node:stream';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { responseBody } from '../../platform/openapi/api-response-bodies';
import { exportLines } from './export-lines';

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/export/events')
export class ExportEventsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('export-events')
  @Header('Content-Type', 'application/x-ndjson; charset=utf-8')
  @ApiProduces('application/x-ndjson')
  @ApiOperation({
    summary: 'Every event as JSON Lines, in global order, with its hashes',
    description:
      'The format of `events.jsonl` in a CLI export (`position, eventId, streamName, revision, type, data, metadata` with `prevHash` and `hash`), streamed page by page; the notary and access-log streams follow the global log when the store does not carry them in it (EventStoreDB). Check it with the checkpoints and `tools/ledger-verifier`.',
  })
  @ApiOkResponse({ description: 'application/x-ndjson, one event per line', ...responseBody('ExportedEvent') })
  export(): Readable {
    return Readable.from(exportLines(this.store));
  }
}
