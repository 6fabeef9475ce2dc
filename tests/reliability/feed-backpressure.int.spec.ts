import { randomUUID } from 'node:crypto';
import { Agent, get, IncomingMessage } from 'node:http';
import type { NewEvent } from '@ledger/event-store';
import { FeedHub } from '../../apps/ledger-api/src/feed/shared/feed-hub.service';
import { isLedgerEvent, listen, parseFrames, rawStream, readWholeLog, storeOf, StreamSockets, waitUntil } from '../support/feed-clients';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

jest.setTimeout(90_000);

/** IncidentReported events, each in its own incident and `kb` kilobytes big: cheap for the read models, heavy on the wire. */
const bigIncidents = (count: number, kb: number): Array<{ stream: string; events: NewEvent[] }> =>
  Array.from({ length: count }, (_, i) => {
    const incidentId = randomUUID();
    const at = new Date().toISOString();
    return {
      stream: `incident-${incidentId}`,
      events: [
        {
          eventId: randomUUID(),
          type: 'IncidentReported.v1',
          data: {
            incidentId,
            title: `Big incident ${i}`,
            summary: `${i} `.padEnd(kb * 1024, 'x'),
            occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
            location: { name: 'Line of contact', precision: 'region' },
            category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] },
          },
          metadata: { recordedAt: at, recordedBy: 'test-backpressure', correlationId: incidentId, causationId: incidentId },
        },
      ],
    };
  });

const writeAll = async (t: LedgerTestApp, batches: Array<{ stream: string; events: NewEvent[] }>): Promise<void> => {
  const store = storeOf(t.app);
  for (const { stream, events } of batches) await store.append(stream, events);
};

const dataFrames = (text: string) => parseFrames(text).filter((f) => f.data !== undefined && f.event === undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live feed: headers, heartbeats, slow consumers and shutdown', () => {
  let t: LedgerTestApp;
  let base: string;

  beforeAll(async () => {
    t = await startLedger({ env: { LEDGER_FEED_HEARTBEAT_MS: '100', LEDGER_FEED_SLOW_CONSUMER_MS: '300' } });
    base = await listen(t.app);
  });

  afterAll(() => t?.close());

  it('answers text/event-stream, uncached and unbuffered, starts with retry: 2000, and sends heartbeats while idle', async () => {
    const { res, text } = await rawStream(base, '/feed/stream', t.tokens.integrator, { 'x-correlation-id': 'feed-headers-1' });
    try {
      await sleep(550);
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-correlation-id': 'feed-headers-1',
      });
      expect(text().startsWith('retry: 2000\n\n')).toBe(true);
      const heartbeats = parseFrames(text()).filter((f) => f.comment?.startsWith('heartbeat '));
      expect(heartbeats.length).toBeGreaterThanOrEqual(3);
      for (const h of heartbeats) expect(Number.isNaN(Date.parse(h.comment!.slice('heartbeat '.length)))).toBe(false);
    } finally {
      res.destroy();
    }
  });

  it('frames each event as id: <position> and data: <CloudEvent>, with no event field', async () => {
    await writeAll(t, bigIncidents(3, 1));
    const { res, text } = await rawStream(base, '/feed/stream?type=IncidentReported.v1', t.tokens.integrator);
    try {
      await waitUntil(() => dataFrames(text()).length >= 3, 5_000, () => text().slice(0, 500));
      const frame = text().split('\n\n').find((block) => block.startsWith('id: '))!;
      const [idLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      expect(idLine).toMatch(/^id: \d+$/);
      const event = JSON.parse(dataLine.slice('data: '.length));
      expect(event.position).toBe(idLine.slice(4));
      expect(event.type).toBe('dev.incident-ledger.IncidentReported.v1');
    } finally {
      res.destroy();
    }
  });

  it('resumes after Last-Event-ID, which wins over from', async () => {
    const log = (await readWholeLog(storeOf(t.app))).filter(isLedgerEvent);
    const after = log[log.length - 2].position;
    const { res, text } = await rawStream(base, '/feed/stream?from=0', t.tokens.integrator, { 'last-event-id': after.toString() });
    try {
      await waitUntil(() => dataFrames(text()).length >= 1, 5_000, () => text());
      await sleep(200);
      expect(dataFrames(text()).map((f) => f.id)).toEqual([log[log.length - 1].position.toString()]);
    } finally {
      res.destroy();
    }
  });

  it('a consumer that stops reading gets a cut-off frame with resumeFrom once it reads again, the response ends, and resuming from there loses nothing', async () => {
    const from = await storeOf(t.app).headPosition();
    let paused: IncomingMessage | undefined;
    const chunks: string[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      get(`${base}/feed/stream?from=${from}`, { headers: { authorization: `Bearer ${t.tokens.integrator}` } }, (res) => {
        paused = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => chunks.push(chunk));
        res.once('end', resolve);
        // Stops reading from the socket: the kernel buffers fill, then the server's write() says no.
        res.socket.pause();
        res.pause();
      }).on('error', reject);
    });
    await waitUntil(() => paused !== undefined, 5_000, () => 'no response');
    // ~12 MB: more than the loopback socket buffers of a reader that took almost nothing yet.
    await writeAll(t, bigIncidents(600, 20));
    await sleep(1_500);
    expect(t.app.get(FeedHub).connections).toBe(0);
    paused!.socket.resume();
    paused!.resume();
    await ended;

    const frames = parseFrames(chunks.join(''));
    const last = frames.at(-1)!;
    expect(last.event).toBe('cut-off');
    const cutOff = JSON.parse(last.data!);
    const delivered = frames.filter((f) => f.id !== undefined).map((f) => BigInt(f.id!));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(600);
    expect(cutOff).toEqual({ reason: 'slow-consumer', resumeFrom: delivered.at(-1)!.toString() });

    // Resuming from there delivers the rest: together, exactly the log after `from`. The resumed reader is itself held
    // to the 300 ms limit, which a starved test process can miss: it resumes again, as an EventSource would.
    const log = (await readWholeLog(storeOf(t.app))).filter((e) => isLedgerEvent(e) && e.position > from);
    const rest: bigint[] = [];
    for (let resumeFrom = cutOff.resumeFrom as string, attempts = 0; rest.length < log.length - delivered.length; attempts++) {
      expect(attempts).toBeLessThan(20);
      const resumed = await rawStream(base, `/feed/stream?from=${resumeFrom}`, t.tokens.integrator);
      try {
        const done = () => rest.length + dataFrames(resumed.text()).length >= log.length - delivered.length;
        const waiting = waitUntil(done, 20_000, () => `${rest.length + dataFrames(resumed.text()).length}`);
        // Once the stream has ended, a later timeout of the poll is no longer anyone's failure.
        waiting.catch(() => undefined);
        await Promise.race([resumed.ended, waiting]);
        const frames = parseFrames(resumed.text());
        rest.push(...frames.filter((f) => f.id !== undefined).map((f) => BigInt(f.id!)));
        const again = frames.find((f) => f.event === 'cut-off');
        if (again) resumeFrom = JSON.parse(again.data!).resumeFrom;
        else if (!done()) throw new Error(`the resumed stream ended without a cut-off after ${rest.length} events`);
      } finally {
        resumed.res.destroy();
      }
    }
    expect([...delivered, ...rest]).toEqual(log.map((e) => e.position));
  });

  it('a subscriber far behind reads the store until it catches up, and is not cut off for it', async () => {
    const { res, text } = await rawStream(base, '/feed/stream?from=0', t.tokens.integrator);
    try {
      const log = (await readWholeLog(storeOf(t.app))).filter(isLedgerEvent);
      await waitUntil(() => dataFrames(text()).length >= log.length, 30_000, () => `${dataFrames(text()).length}/${log.length}`);
      expect(dataFrames(text()).map((f) => BigInt(f.id!))).toEqual(log.map((e) => e.position));
      expect(text()).not.toContain('cut-off');
    } finally {
      res.destroy();
    }
  });
});

describe('live feed: a blocked consumer that the ring overtakes', () => {
  let t: LedgerTestApp;
  let base: string;

  beforeAll(async () => {
    // A long slow-consumer timeout, so that only the ring can be what cuts it off here.
    t = await startLedger({ env: { LEDGER_FEED_SLOW_CONSUMER_MS: '60000', LEDGER_FEED_RING_SIZE: '20' } });
    base = await listen(t.app);
  });

  afterAll(() => t?.close());

  it('is cut off as soon as it lags more than the ring holds, long before the timeout', async () => {
    let paused: IncomingMessage | undefined;
    let text = '';
    const ended = new Promise<void>((resolve) => {
      get(`${base}/feed/stream`, { headers: { authorization: `Bearer ${t.tokens.integrator}` } }, (res) => {
        paused = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', resolve);
        res.socket.pause();
        res.pause();
      });
    });
    await waitUntil(() => paused !== undefined, 5_000, () => 'no response');
    const started = Date.now();
    await writeAll(t, bigIncidents(600, 20));
    await waitUntil(() => t.app.get(FeedHub).connections === 0, 20_000, () => 'still connected');
    expect(Date.now() - started).toBeLessThan(20_000);
    paused!.socket.resume();
    paused!.resume();
    await ended;
    const last = parseFrames(text).at(-1)!;
    expect(last.event).toBe('cut-off');
    expect(JSON.parse(last.data!).reason).toBe('slow-consumer');
  });
});

describe('live feed: a consumer that stops reading for a while', () => {
  let t: LedgerTestApp;
  let base: string;
  let sockets: StreamSockets;

  beforeAll(async () => {
    // Neither the timeout nor the ring cuts it off here: it only stops reading, then reads again.
    t = await startLedger({ env: { LEDGER_FEED_SLOW_CONSUMER_MS: '60000' } });
    base = await listen(t.app);
    sockets = new StreamSockets(t.app.getHttpServer());
  });

  afterAll(() => t?.close());

  it('holds back at most a bounded amount for it, does not hold up a reading consumer, and resumes it without gap once it reads', async () => {
    const from = await storeOf(t.app).headPosition();
    let paused: IncomingMessage | undefined;
    let pausedText = '';
    get(`${base}/feed/stream?from=${from}`, { headers: { authorization: `Bearer ${t.tokens.integrator}` } }, (res) => {
      paused = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (pausedText += chunk));
      res.socket.pause();
      res.pause();
    });
    const reading = await rawStream(base, `/feed/stream?from=${from}`, t.tokens.integrator);
    try {
      await waitUntil(() => paused !== undefined && t.app.get(FeedHub).connections === 2, 5_000, () => 'not connected');
      let mostHeld = 0;
      const sample = setInterval(() => {
        for (const socket of sockets.all()) mostHeld = Math.max(mostHeld, socket.writableLength);
      }, 5);
      try {
        // ~12 MB for each stream: far more than the loopback buffers of the one that reads nothing.
        await writeAll(t, bigIncidents(600, 20));
        await waitUntil(() => dataFrames(reading.text()).length >= 600, 30_000, () => `${dataFrames(reading.text()).length} of 600`);
      } finally {
        clearInterval(sample);
      }
      // Past the kernel's buffers, the server keeps at most about one batch and one write for a socket.
      expect(mostHeld).toBeLessThan(1024 * 1024);
      expect(t.app.get(FeedHub).connections).toBe(2);

      paused!.socket.resume();
      paused!.resume();
      const log = (await readWholeLog(storeOf(t.app))).filter((e) => isLedgerEvent(e) && e.position > from).map((e) => e.position);
      await waitUntil(() => dataFrames(pausedText).length >= log.length, 30_000, () => `${dataFrames(pausedText).length} of ${log.length}`);
      expect(dataFrames(pausedText).map((f) => BigInt(f.id!))).toEqual(log);
      expect(dataFrames(reading.text()).map((f) => BigInt(f.id!))).toEqual(log);
      expect(pausedText).not.toContain('cut-off');
    } finally {
      paused?.destroy();
      reading.res.destroy();
    }
  });
});

describe('live feed: shutdown', () => {
  it('sends every open stream a cut-off with reason shutdown and closes it, so the app stops promptly', async () => {
    const t = await startLedger({ env: { LEDGER_FEED_HEARTBEAT_MS: '100' } });
    const base = await listen(t.app);
    const streams = await Promise.all([
      rawStream(base, '/feed/stream', t.tokens.integrator),
      rawStream(base, '/feed/stream?type=ClaimMade.v3', t.tokens.integrator),
      rawStream(base, '/feed/stream', t.tokens.admin),
    ]);
    await waitUntil(() => t.app.get(FeedHub).connections === 3, 5_000, () => 'not connected');
    const started = Date.now();
    await t.close();
    const closeMs = Date.now() - started;
    await Promise.all(streams.map((s) => s.ended));
    expect(closeMs).toBeLessThan(3_000);
    for (const s of streams) {
      const last = parseFrames(s.text()).at(-1)!;
      expect(last.event).toBe('cut-off');
      expect(JSON.parse(last.data!)).toEqual({ reason: 'shutdown', resumeFrom: '0' });
    }
  });
});

describe('live feed: fan-out', () => {
  it('serves 1000 concurrent subscribers from one store subscription, each getting every event in order', async () => {
    const t = await startLedger({ env: { LEDGER_FEED_HEARTBEAT_MS: '5000', LEDGER_FEED_MAX_STREAMS_PER_TOKEN: '1000' } });
    const base = await listen(t.app);
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const SUBSCRIBERS = 1000;
    const EVENTS = 200;
    const clients = Array.from({ length: SUBSCRIBERS }, () => ({ count: 0, last: 0n, disorder: 0, res: undefined as IncomingMessage | undefined, rest: '' }));
    try {
      await Promise.all(
        clients.map(
          (c) =>
            new Promise<void>((resolve, reject) => {
              get(`${base}/feed/stream`, { agent, headers: { authorization: `Bearer ${t.tokens.integrator}` } }, (res) => {
                c.res = res;
                res.setEncoding('utf8');
                // Only counts and order are kept: a thousand copies of the text would be the test's memory, not the server's.
                res.on('data', (chunk: string) => {
                  const text = c.rest + chunk;
                  const cut = text.lastIndexOf('\n\n');
                  c.rest = cut < 0 ? text : text.slice(cut + 2);
                  for (const m of (cut < 0 ? '' : text.slice(0, cut)).matchAll(/^id: (\d+)$/gm)) {
                    const position = BigInt(m[1]);
                    if (position <= c.last) c.disorder += 1;
                    c.last = position;
                    c.count += 1;
                  }
                });
                resolve();
              }).on('error', reject);
            }),
        ),
      );
      await waitUntil(() => t.app.get(FeedHub).connections === SUBSCRIBERS, 20_000, () => `${t.app.get(FeedHub).connections} connected`);
      // One store subscription (the hub's, opened at start) serves them all; live subscribers never read the store.
      const store = storeOf(t.app);
      const subscribe = jest.spyOn(store, 'subscribeToAll');
      const readAll = jest.spyOn(store, 'readAll');
      const started = Date.now();
      await writeAll(t, bigIncidents(EVENTS, 1));
      await waitUntil(() => clients.every((c) => c.count >= EVENTS), 60_000, () => `${clients.filter((c) => c.count >= EVENTS).length} done`);
      const deliveredMs = Date.now() - started;
      console.log(`fan-out: ${EVENTS} events to ${SUBSCRIBERS} subscribers (${EVENTS * SUBSCRIBERS} frames) in ${deliveredMs} ms, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
      expect(clients.every((c) => c.count === EVENTS && c.disorder === 0)).toBe(true);
      expect(subscribe).not.toHaveBeenCalled();
      expect(readAll).not.toHaveBeenCalled();
    } finally {
      for (const c of clients) c.res?.destroy();
      agent.destroy();
      await t.close();
    }
  });
});
