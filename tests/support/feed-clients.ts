import { randomUUID } from 'node:crypto';
import { get, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CloudEvent } from 'cloudevents';
import { EVENT_STORE, EventStore, NewEvent, RecordedEvent } from '@ledger/event-store';

// eventsource 4 is ESM-first; its CommonJS build is what Jest loads.
const { EventSource } = require('eventsource') as typeof import('eventsource');

/** A ClaimMade.v3 as the API would store it (the scenario's shape), for writing straight through the store port. */
export const claimMadeEvent = (incidentId: string, partyId: string, named: string[], text: string, by = 'test-feed-writer'): NewEvent => {
  const at = new Date().toISOString();
  const correlationId = randomUUID();
  return {
    eventId: randomUUID(),
    type: 'ClaimMade.v3',
    data: {
      incidentId,
      claimId: randomUUID(),
      partyId,
      statement: { text, verbatim: false, language: 'en' },
      statedAt: { at: '2019-06-01', precision: 'day' },
      source: { title: 'Feed load test', publisher: 'tests/support/feed-clients.ts', publishedAt: '2019-06-03' },
      answers: [],
      supersedes: [],
      assertions: {
        responsibleParties: named,
        ceasefire: { violated: true, by: named },
        casualties: [{ side: partyId, killed: { best: 1 } }],
      },
    },
    metadata: { recordedAt: at, recordedBy: by, correlationId, causationId: correlationId },
  };
};

export const storeOf = (app: NestFastifyApplication): EventStore => app.get<EventStore>(EVENT_STORE);

/** Every event of the global log, in order, read page by page (what the feeds must equal once filtered). */
export const readWholeLog = async (store: EventStore): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  let from = 0n;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
    from = page[page.length - 1].position;
  }
};

export const isLedgerEvent = (e: RecordedEvent): boolean => e.streamName.startsWith('incident-') || e.streamName.startsWith('party-');

/**
 * The test's own reading of "of or about party P" (written apart from the feed's code): P's stream, P's affiliation,
 * P as speaker or denied claimant, P named in assertions, P's claims answered or P's entries amended.
 */
export const concernsParty = (log: RecordedEvent[]) => {
  const claimants = new Map<string, string>();
  const denials = new Map<string, string[]>();
  for (const e of log) {
    const d = e.data as Record<string, any>;
    if (e.type.startsWith('ClaimMade.')) claimants.set(d.claimId, d.partyId);
    if (e.type.startsWith('ClaimDenied.')) denials.set(d.denialId, [d.partyId, d.claimPartyId]);
  }
  const named = (a: Record<string, any> | undefined): string[] =>
    a ? [...(a.responsibleParties ?? []), ...(a.ceasefire?.by ?? []), ...(a.casualties ?? []).flatMap((c: { side?: string }) => (c.side ? [c.side] : []))] : [];
  return (e: RecordedEvent, party: string): boolean => {
    const d = e.data as Record<string, any>;
    if (e.streamName.startsWith('party-')) return e.streamName === `party-${party}` || d.affiliation?.partyId === party;
    const parties = [d.partyId, d.claimPartyId, ...named(d.assertions), ...named(d.changes?.assertions)];
    for (const c of d.answers ?? []) parties.push(claimants.get(c));
    if (d.entry?.claimId) parties.push(claimants.get(d.entry.claimId));
    if (d.entry?.denialId) parties.push(...(denials.get(d.entry.denialId) ?? []));
    return parties.includes(party);
  };
};

/** Listens on a free loopback port; returns the base URL. */
export const listen = async (app: NestFastifyApplication): Promise<string> => {
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
};

/** The server-side sockets of open /feed/stream responses, to cut them at will as a flaky network would. */
export class StreamSockets {
  private readonly open = new Set<Socket>();
  killed = 0;

  constructor(server: Server) {
    server.on('request', (req: IncomingMessage) => {
      if (!req.url?.startsWith('/feed/stream')) return;
      const socket = req.socket;
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
    });
  }

  get size(): number {
    return this.open.size;
  }

  all(): Socket[] {
    return [...this.open];
  }

  killRandom(): void {
    const sockets = [...this.open];
    if (sockets.length === 0) return;
    const victim = sockets[Math.floor(Math.random() * sockets.length)];
    this.open.delete(victim);
    victim.destroy();
    this.killed += 1;
  }
}

export interface ReceivedEvent {
  position: bigint;
  /** The SSE id, which must equal the CloudEvent's position. */
  id: string;
  event: Record<string, unknown>;
}

/** An eventsource client that records every event, and how often it (re)connected. */
export class Subscriber {
  readonly received: ReceivedEvent[] = [];
  readonly cutOffs: Array<{ reason: string; resumeFrom: string }> = [];
  opens = 0;
  errors = 0;
  private source: InstanceType<typeof EventSource> | undefined;

  constructor(
    readonly name: string,
    private readonly url: (from: bigint | undefined) => string,
    private readonly token: string,
  ) {}

  get reconnects(): number {
    return Math.max(0, this.opens - 1);
  }

  get last(): bigint | undefined {
    return this.received.at(-1)?.position;
  }

  /** Opens the stream (from `from`, else from the start); the eventsource client reconnects by itself with Last-Event-ID. */
  connect(from?: bigint): void {
    const token = this.token;
    const source = new EventSource(this.url(from), {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` } }),
    });
    source.addEventListener('open', () => (this.opens += 1));
    source.addEventListener('error', () => (this.errors += 1));
    source.addEventListener('message', (message) => {
      const event = JSON.parse(message.data) as Record<string, unknown>;
      this.received.push({ position: BigInt(message.lastEventId), id: message.lastEventId, event });
    });
    source.addEventListener('cut-off', (message) => this.cutOffs.push(JSON.parse(message.data)));
    this.source = source;
  }

  /** Closes this client for good; connect(from) opens a new one (as an integrator restarting its process would). */
  close(): void {
    this.source?.close();
    this.source = undefined;
  }
}

/** Every received event once, in strictly increasing position order, SSE id = CloudEvent position. */
export const orderProblems = (received: ReceivedEvent[]): string[] => {
  const problems: string[] = [];
  for (let i = 0; i < received.length; i++) {
    if (received[i].id !== received[i].event.position) problems.push(`#${i}: SSE id ${received[i].id} != position ${String(received[i].event.position)}`);
    if (i > 0 && received[i].position <= received[i - 1].position) {
      problems.push(`#${i}: position ${received[i].position} after ${received[i - 1].position}`);
    }
  }
  return problems.slice(0, 10);
};

/** Validates with the CloudEvents SDK (throws on an invalid event). */
export const asSdkCloudEvent = (event: Record<string, unknown>): CloudEvent<unknown> => new CloudEvent<unknown>({ ...event } as never, true);

/** Resolves once `done()` holds, polling; rejects with `describe()` after `timeoutMs`. */
export const waitUntil = async (done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export interface RawFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Parses SSE text into frames (comments kept), per the WHATWG rules the feed relies on. */
export const parseFrames = (text: string): RawFrame[] => {
  const frames: RawFrame[] = [];
  for (const block of text.split('\n\n')) {
    if (block === '') continue;
    const frame: RawFrame = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) frame.comment = line.slice(1).trim();
      else {
        const at = line.indexOf(':');
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
        if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
        else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
      }
    }
    frames.push(frame);
  }
  return frames;
};

/** A raw HTTP GET of an event stream, for reading the exact bytes and controlling when they are read. */
export const rawStream = (
  base: string,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ res: IncomingMessage; text: () => string; ended: Promise<void> }> =>
  new Promise((resolve, reject) => {
    const req = get(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<void>((done) => {
        res.once('end', done);
        res.once('close', done);
      });
      resolve({ res, text: () => text, ended });
    });
    req.on('error', reject);
  });
