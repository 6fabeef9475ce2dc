import { Readable } from 'node:stream';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore, RecordedEvent } from '@ledger/event-store';
import { ACCESS_LOG_STREAM, CHECKPOINT_STREAM } from '@ledger/integrity';
import { AuditedRead } from '../../ledger/http/audited-read.decorator';
import { Roles } from '../../ledger/http/request-context';

const PAGE_SIZE = 1000;

/** One export line: the event as stored, bigints as decimal strings. */
export const exportLine = (event: RecordedEvent): string =>
  `${JSON.stringify({
    position: event.position.toString(),
    eventId: event.eventId,
    streamName: event.streamName,
    revision: event.revision.toString(),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  })}\n`;

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
  @ApiOkResponse({ description: 'application/x-ndjson, one event per line' })
  export(): Readable {
    return Readable.from(this.lines());
  }

  /**
   * The ledger's own streams are read first and merged in by position, so the export is in global order on both
   * stores (EventStoreDB's filtered $all does not carry them; SQLite's does, and those copies are skipped).
   */
  private async *lines(): AsyncGenerator<string> {
    const own = new Set([CHECKPOINT_STREAM, ACCESS_LOG_STREAM]);
    const pending = (await Promise.all([...own].map((stream) => this.store.readStream(stream))))
      .flat()
      .sort((a, b) => (a.position < b.position ? -1 : 1));
    let next = 0;
    let position = 0n;
    for (;;) {
      const page = await this.store.readAll({ fromPosition: position, maxCount: PAGE_SIZE });
      if (page.length === 0) break;
      for (const event of page) {
        if (own.has(event.streamName)) continue;
        for (; next < pending.length && pending[next].position < event.position; next++) yield exportLine(pending[next]);
        yield exportLine(event);
      }
      position = page[page.length - 1].position;
    }
    for (; next < pending.length; next++) yield exportLine(pending[next]);
  }
}
