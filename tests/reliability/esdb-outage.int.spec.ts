import { randomUUID } from 'node:crypto';
import {
  EsdbEventStore,
  NewEvent,
  RecordedEvent,
  START,
  StoreRefusedError,
  StoreUnavailableError,
  Subscription,
  WrongExpectedRevisionError,
} from '@ledger/event-store';
import { EsdbDouble, EsdbDoubleMode, startEsdbDouble, StopHow } from '../esdb-double';

/*
 * Fault tests of the EventStoreDB adapter on the gRPC double: the node stops (every call cancelled, port closed, data
 * kept) and comes back on the same port; the node answers with EventStoreDB's failure modes (timeout, not leader,
 * not ready, access denied). What must hold: a subscription resumes from the last delivered position with no gap and
 * no duplicate and without reporting an error; an append during the outage rejects with StoreUnavailableError and
 * writes nothing; every acknowledged append is stored exactly once; retrying a failed append with the same ids is
 * safe.
 */

const MODES: EsdbDoubleMode[] = ['current', 'legacy'];

// Generous: these tests stop and start servers, and a loaded machine can pause the process for seconds.
jest.setTimeout(30_000);

describe.each(MODES)('EventStoreDB adapter under outages (%s append path)', (mode) => {
  let double: EsdbDouble;
  let store: EsdbEventStore;
  let warnings: string[];
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    double = await startEsdbDouble({ port: 0, mode });
    warnings = [];
    store = new EsdbEventStore({
      connectionString: double.connectionString,
      reconnect: { initialDelayMs: 20, maxDelayMs: 150 },
      logger: { warn: (message) => warnings.push(message) },
    });
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    await store.close();
    await double.close();
  });

  function follow(fromPosition: bigint, onEvent: (event: RecordedEvent) => Promise<void> | void = () => undefined) {
    const follower = { received: [] as RecordedEvent[], caughtUp: 0, errors: [] as unknown[], subscription: undefined as unknown as Subscription };
    follower.subscription = store.subscribeToAll(
      { fromPosition },
      {
        onEvent: async (event) => {
          follower.received.push(event);
          await onEvent(event);
        },
        onCaughtUp: () => {
          follower.caughtUp += 1;
        },
        onError: (error) => {
          follower.errors.push(error);
        },
      },
    );
    subscriptions.push(follower.subscription);
    return follower;
  }

  it('a subscription cut mid catch-up and again while live resumes with no gap, no duplicate and no error', async () => {
    // Enough data that it cannot all sit in the client's buffers when the node goes down.
    const streams = Array.from({ length: 3 }, () => `incident-${randomUUID()}`);
    const padding = 'x'.repeat(2048);
    for (let index = 0; index < 40; index += 1) {
      // Written straight into the double's log: this test is about reading, and it keeps the seed fast.
      double.appendDirect(
        streams[index % 3],
        Array.from({ length: 10 }, () => {
          const event = ledgerEvent({ padding });
          return { id: event.eventId, type: event.type, data: event.data, metadata: event.metadata };
        }),
      );
    }
    const follower = follow(START, () => sleep(1));

    // Cut while catching up.
    await waitFor(() => follower.received.length >= 20, 'the first events');
    await double.stop();
    const reconnectsBefore = warnings.length;
    await sleep(250);
    const duringOutage = follower.received.length;
    await double.restart();
    await waitFor(() => follower.caughtUp > 0, 'caught up after the restart', 15_000);
    expect(duringOutage).toBeLessThan(400);
    expect(warnings.length).toBeGreaterThan(reconnectsBefore);

    // Cut while live, with appends right before and right after.
    await store.append(streams[0], [ledgerEvent()]);
    await waitFor(() => follower.received.length === 401, 'the live event');
    const warningsBeforeLiveCut = warnings.length;
    await double.stop();
    await sleep(200);
    await double.restart();
    for (let index = 0; index < 9; index += 1) await store.append(streams[index % 3], [ledgerEvent(), ledgerEvent()]);
    await waitFor(() => follower.received.length >= 419, 'every event');
    await sleep(100);

    const log = await store.readAll();
    expect(log).toHaveLength(419);
    expect(follower.received.map((event) => event.eventId)).toEqual(log.map((event) => event.eventId));
    expect(follower.received.map((event) => event.position)).toEqual(log.map((event) => event.position));
    expect(new Set(follower.received.map((event) => event.eventId)).size).toBe(419);
    expect(follower.errors).toEqual([]);
    expect(warnings.length).toBeGreaterThan(warningsBeforeLiveCut);
  });

  it.each<StopHow>(['crash', 'cancel-calls'])(
    'a live subscription whose node goes down (%s: the client sees Unavailable / Cancelled) resumes when it returns',
    async (how) => {
      const stream = `incident-${randomUUID()}`;
      await store.append(stream, [ledgerEvent(), ledgerEvent(), ledgerEvent()]);
      const follower = follow(START);
      await waitFor(() => follower.caughtUp > 0 && follower.received.length === 3, 'caught up');

      await double.stop(how);
      await expect(store.append(stream, [ledgerEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
      await sleep(150);
      await double.restart();
      await store.append(stream, [ledgerEvent(), ledgerEvent()]);
      await store.append(`party-${randomUUID()}`, [ledgerEvent()]);
      await waitFor(() => follower.received.length >= 6, 'the events written after the outage');
      await sleep(50);

      const log = await store.readAll();
      expect(follower.received.map((event) => event.eventId)).toEqual(log.map((event) => event.eventId));
      expect(log).toHaveLength(6);
      expect(follower.errors).toEqual([]);
    },
  );

  it('an append during the outage rejects with StoreUnavailableError and writes nothing; its retry after the restart writes it once', async () => {
    const stream = `incident-${randomUUID()}`;
    const before = await store.append(stream, [ledgerEvent()], { expectedRevision: 'no_stream' });
    const appendedBefore = double.appendedCount;
    await double.stop();

    const during = ledgerEvent();
    const outcome = await capture(store.append(stream, [during], { expectedRevision: 0n }));
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream(stream)).rejects.toBeInstanceOf(StoreUnavailableError);

    expect(outcome).toBeInstanceOf(StoreUnavailableError);
    expect((outcome as Error).message).toMatch(/EventStoreDB is unavailable/);
    await double.restart();
    expect(double.appendedCount).toBe(appendedBefore);
    expect(double.events().some((event) => event.id === during.eventId)).toBe(false);
    expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n]);
    expect(await store.headPosition()).toBe(before.position);
    await expect(store.ping()).resolves.toBeUndefined();

    const retried = await store.append(stream, [during], { expectedRevision: 0n });
    const replayed = await store.append(stream, [during], { expectedRevision: 0n });
    expect(replayed).toEqual(retried);
    expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual([expect.any(String), during.eventId]);
  });

  it('every append acknowledged before, during and after an outage is stored exactly once', async () => {
    const stream = `incident-${randomUUID()}`;
    const acknowledged: string[] = [];
    const refused: NewEvent[] = [];
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const event = ledgerEvent();
        try {
          await store.append(stream, [event]);
          acknowledged.push(event.eventId);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          refused.push(event);
        }
        await sleep(2);
      }
    })();
    await waitFor(() => acknowledged.length >= 10, 'appends before the outage');
    await double.stop();
    await waitFor(() => refused.length >= 3, 'appends refused during the outage');
    await double.restart();
    const afterRestart = acknowledged.length;
    await waitFor(() => acknowledged.length >= afterRestart + 10, 'appends after the outage');
    stop = true;
    await writer;
    // A refused append had an unknown outcome for its caller: retrying it with the same id is safe.
    for (const event of refused) await store.append(stream, [event]);

    const stored = (await store.readStream(stream)).map((event) => event.eventId);
    const expected = [...acknowledged, ...refused.map((event) => event.eventId)];
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...expected].sort());
  });

  it.each([
    ['timeout', 'an EventStoreDB commit timeout'],
    ['not-leader', 'a follower answering NotLeader'],
    ['server-not-ready', 'a node that is not ready'],
  ] as const)(
    'an append answered once with %s (%s) is retried and stored once; answered so every time it rejects with StoreUnavailableError',
    async (fault, _what) => {
      const stream = `incident-${randomUUID()}`;
      const first = ledgerEvent();
      await store.append(stream, [first]);

      const retried = ledgerEvent();
      double.injectFault('append', fault, 1);
      const result = await store.append(stream, [retried], { expectedRevision: 0n });
      expect(result.nextExpectedRevision).toBe(1n);

      const refused = ledgerEvent();
      double.injectFault('append', fault, 3); // the first attempt and both retries
      const failure = await capture(store.append(stream, [refused], { expectedRevision: 1n }));
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual([first.eventId, retried.eventId]);

      const later = await store.append(stream, [refused], { expectedRevision: 1n });
      expect(later.nextExpectedRevision).toBe(2n);
      expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual([first.eventId, retried.eventId, refused.eventId]);
    },
  );

  it('a subscription refused with NotLeader resubscribes; one refused with AccessDenied stops and reports it', async () => {
    await store.append(`incident-${randomUUID()}`, [ledgerEvent(), ledgerEvent()]);
    double.injectFault('read', 'not-leader');
    const resilient = follow(START);
    await waitFor(() => resilient.caughtUp > 0, 'caught up after NotLeader');
    expect(resilient.received).toHaveLength(2);
    expect(resilient.errors).toEqual([]);

    double.injectFault('read', 'access-denied');
    const denied = follow(START);
    await waitFor(() => denied.errors.length > 0, 'onError');
    await sleep(100);
    // Refused for good, not unavailable: resubscribing would be refused again.
    expect(denied.errors[0]).toBeInstanceOf(StoreRefusedError);
    expect(denied.errors[0]).toMatchObject({ reason: 'access-denied' });
    expect(denied.received).toEqual([]);
  });

  it('the first calls after the node returns succeed: the client reconnects lazily and the adapter retries a connection loss', async () => {
    const stream = `incident-${randomUUID()}`;
    await store.append(stream, [ledgerEvent()]);
    await double.stop();
    // Calls during the outage leave the client with a failed connection that it only replaces on the next call.
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append(stream, [ledgerEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await double.restart();

    const appended = await store.append(stream, [ledgerEvent()], { expectedRevision: 0n });

    expect(appended.nextExpectedRevision).toBe(1n);
    await expect(store.ping()).resolves.toBeUndefined();
    expect(await store.headPosition()).toBe(appended.position);
  });

  it('a subscription keeps retrying through a long outage and the store answers again without being recreated', async () => {
    await store.append(`incident-${randomUUID()}`, [ledgerEvent()]);
    const follower = follow(START);
    await waitFor(() => follower.caughtUp > 0, 'caught up');
    await double.stop();
    await sleep(600);
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    await double.restart();
    await store.append(`incident-${randomUUID()}`, [ledgerEvent()]);
    await waitFor(() => follower.received.length === 2, 'the event written after the outage');
    expect(follower.errors).toEqual([]);
  });
});

function ledgerEvent(extra: Record<string, unknown> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'ClaimMade.v1',
    data: { says: 'outage', ...extra },
    metadata: { recordedAt: new Date().toISOString(), recordedBy: 'reliability', correlationId: randomUUID(), causationId: randomUUID() },
  };
}

async function capture(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail, it succeeded');
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
