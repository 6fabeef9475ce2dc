import { Controller, Get, Headers, Inject, Logger, Query as QueryParams, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform/config/ledger-config';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { RequestValidationException } from '../../platform/problem/validation.pipe';
import { FeedFilter } from '../shared/feed-filter';
import { FeedHub } from '../shared/feed-hub.service';
import { FeedLog } from '../shared/feed-log.service';
import { parsePosition, POSITION_MESSAGE } from '../shared/feed-position';
import { SSE_RETRY_MS, SseConnection } from './sse-connection';
import { StreamEventsQueryDto } from './stream-events.dto';

const LAST_EVENT_ID = 'Last-Event-ID';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class StreamEventsController {
  private readonly logger = new Logger('Feed');

  constructor(
    private readonly hub: FeedHub,
    private readonly log: FeedLog,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get('stream')
  // Readers too (and so recorders and auditors): the dashboard's live updates read this stream with the reader's own
  // token in the Authorization header. It carries nothing a reader cannot already query; the paged feed stays the
  // integrators' alone.
  @Roles('integrator', 'reader')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'Live feed: every ledger event as a server-sent event, resumable with Last-Event-ID',
    description: [
      'Catches up from the store after `from` (or the `Last-Event-ID` header, which wins), then stays live. The stream',
      `starts with \`retry: ${SSE_RETRY_MS}\`; each event is one frame \`id: <global position>\\ndata: <CloudEvent JSON>\\n\\n\``,
      '(no `event:` field), in strictly increasing position order, never twice, never a gap; an EventSource that',
      'reconnects by itself (sending Last-Event-ID) therefore resumes exactly where it was. Idle streams get a',
      '`: heartbeat <ISO time>` comment every LEDGER_FEED_HEARTBEAT_MS. A consumer that does not read for',
      'LEDGER_FEED_SLOW_CONSUMER_MS (or falls further behind than LEDGER_FEED_RING_SIZE events while not reading), and',
      'every stream when the ledger shuts down, gets a last frame `event: cut-off` with data',
      '`{"reason":"slow-consumer"|"shutdown","resumeFrom":"<position>"}` (the position of the last event frame sent, or',
      'the start) and the response ends: reconnect with Last-Event-ID (or `from`) = resumeFrom, as an EventSource does by',
      'itself. Filters as on `GET /feed/events`; a scoped token sees only its scope.',
    ].join(' '),
  })
  @ApiHeader({ name: LAST_EVENT_ID, required: false, description: 'Exclusive global position to resume after (wins over `from`)' })
  @ApiOkResponse({ description: 'text/event-stream of CloudEvents (see the description for the frames)', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblemResponse(400, 'Invalid filter or position, named in errors[].field (`Last-Event-ID` for the header)')
  @ApiProblemResponse(403, 'Or a filter outside the token scope (`field` names it).')
  @ApiProblemResponse(429, 'This token holds LEDGER_FEED_MAX_STREAMS_PER_TOKEN open streams already (Retry-After)')
  @ApiProblemResponse(503, 'The ledger is shutting down, or serves LEDGER_FEED_MAX_STREAMS open streams already (Retry-After)')
  async stream(
    @QueryParams() query: StreamEventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const from = this.startPosition(query.from, lastEventId);
    const filter = FeedFilter.for({ incidents: query.incident, parties: query.party, types: query.type }, principal);
    if (this.hub.closing) {
      throw new ProblemException(503, 'shutting-down', 'The ledger is shutting down; reconnect in a moment.', {}, { headers: { 'Retry-After': '2' } });
    }
    // A start past the head would wait silently for the log to grow beyond it, skipping every event written up to it.
    const head = from > 0n ? await this.log.head() : 0n;
    const field = lastEventId?.trim() ? LAST_EVENT_ID : 'from';
    if (from > head) {
      throw new RequestValidationException([{ field, messages: [`${field} (${from}) is beyond the head of the log (${head})`] }]);
    }
    // Checked before the stream opens: once it is open, the store's refusal would look like an outage, retried forever.
    if (!(await this.log.startsARecord(from))) {
      throw new RequestValidationException([{ field, messages: [`${field} (${from}) is not the position of an event; pass 0 or the id of an event received`] }]);
    }
    this.hub.admit(principal.id);

    // From here on the response is ours (no serialiser, no hooks): headers set earlier by the platform (correlation
    // id) are carried over by hand.
    reply.hijack();
    const inherited = Object.fromEntries(Object.entries(reply.getHeaders()).filter(([, value]) => value !== undefined)) as Record<
      string,
      string | number | string[]
    >;
    reply.raw.writeHead(200, {
      ...inherited,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold frames back to fill their buffers.
      'x-accel-buffering': 'no',
    });
    new SseConnection({
      hub: this.hub,
      log: this.log,
      filter,
      owner: principal.id,
      from,
      response: reply.raw,
      slowConsumerMs: this.config.feed.slowConsumerMs,
      logger: this.logger,
    }).start();
  }

  private startPosition(from: string | undefined, lastEventId: string | undefined): bigint {
    const header = lastEventId?.trim();
    if (header !== undefined && header !== '') {
      const position = parsePosition(header);
      if (position === undefined) throw new RequestValidationException([{ field: LAST_EVENT_ID, messages: [POSITION_MESSAGE(LAST_EVENT_ID)] }]);
      return position;
    }
    return from === undefined ? 0n : parsePosition(from)!;
  }
}
