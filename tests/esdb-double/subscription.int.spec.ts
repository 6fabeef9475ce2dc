// Catch-up subscriptions through the raw EventStoreDBClient against the double: filters, checkpoints,
// caught-up, live delivery, and what the client sees when the server goes away and comes back. With
// EVENTSTORE_TEST_CONNECTION_STRING, all but the outages run against that server (tests/support/esdb-target.ts).
import * as grpc from '@grpc/grpc-js';
import {
  END,
  START,
  CancelledError,
  EventStoreDBClient,
  UnavailableError,
  excludeSystemEvents,
  eventTypeFilter,
  streamNameFilter,
  type Position,
} from '@eventstore/db-client';
import { describeOnDouble, startEsdbTarget, type EsdbTarget } from '../support/esdb-target';
import { startEsdbDouble, type EsdbDoubleMode, type StopHow } from './esdb-double';
import { disposeAll, events, eventsIn, expectRejection, record, uniqueStream, waitFor, type SubscriptionLogEntry } from './helpers';

// Generous: CI machines here are shared and can stall for seconds; a passing run takes well under a second per test.
jest.setTimeout(30_000);

const ULONG_MAX = 18446744073709551615n;

async function waitForCaughtUp(log: SubscriptionLogEntry[], what: string): Promise<void> {
  await waitFor(
    () => log.some((x) => x.kind === 'caughtUp'),
    15_000,
    () => `${what}; the subscription emitted ${JSON.stringify(log.map((x) => (x.kind === 'error' ? `error: ${x.error.message}` : x.kind)))}`,
  );
}

describe('subscribeToAll with a server-side filter', () => {
  let target: EsdbTarget;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    target = await startEsdbTarget();
    client = target.client();
  });
  afterAll(async () => {
    await target.close();
  });

  it('sends confirmation, the matching events, checkpoints at the interval, caught-up, then live events', async () => {
    const prefix = `inc${Date.now()}-`;
    const mine = `${prefix}a`;
    // 70 foreign events between ours, so that checkpoints (every 32 considered events) fall in between
    await client.appendToStream(mine, events(2));
    for (let i = 0; i < 7; i++) await client.appendToStream(uniqueStream('other'), events(10));
    await client.appendToStream(mine, events(1, 'Something.v1', 2));

    const log: SubscriptionLogEntry[] = [];
    const checkpoints: Position[] = [];
    const sub = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [prefix], checkpointInterval: 1, checkpointReached: (_s, p) => void checkpoints.push(p) }),
    });
    record(sub, log);
    await waitForCaughtUp(log, 'caughtUp');

    expect(log[0].kind).toBe('confirmation');
    const caughtUpAt = log.findIndex((x) => x.kind === 'caughtUp');
    const before = eventsIn(log.slice(0, caughtUpAt));
    expect(before.map((e) => `${e.stream}@${e.revision}`)).toEqual([`${mine}@0`, `${mine}@1`, `${mine}@2`]);
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    // Taken before the log's end is read: a real node goes on writing, and live checkpoints follow it.
    const seen = [...checkpoints];
    const logEnd = await target.lastPosition();
    for (let i = 0; i < seen.length; i++) {
      expect(seen[i].commit).toBe(seen[i].prepare);
      expect(seen[i].commit).toBeLessThanOrEqual(logEnd);
      if (i > 0) expect(seen[i].commit).toBeGreaterThan(seen[i - 1].commit);
    }

    await client.appendToStream(uniqueStream('other'), events(1));
    await client.appendToStream(`${prefix}b`, events(1, 'Live.v1'));
    await waitFor(() => eventsIn(log).length === 4, 15_000, 'live event');
    expect(eventsIn(log)[3]).toMatchObject({ stream: `${prefix}b`, type: 'Live.v1', revision: 0n });
    expect(log.filter((x) => x.kind === 'caughtUp')).toHaveLength(1);
    await sub.unsubscribe();
  });

  it('keeps issuing checkpoints while live, even when no event matches', async () => {
    const checkpoints: Position[] = [];
    const log: SubscriptionLogEntry[] = [];
    const sub = client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: ['nothing-matches-'], checkpointReached: (_s, p) => void checkpoints.push(p) }),
    });
    record(sub, log);
    await waitForCaughtUp(log, 'caughtUp');
    const s = uniqueStream('other');
    await client.appendToStream(s, events(70));
    await waitFor(() => checkpoints.length >= 2, 15_000, 'live checkpoints');
    const positions = (await target.streamEvents(s)).map((e) => e.position);
    const [first, second] = checkpoints.map((c) => c.commit);
    if (target.double) {
      expect([first, second]).toEqual([positions[31], positions[63]]);
    } else {
      // A real node counts every committed event, its projections' link events among them, so only the order holds.
      expect(first).toBeGreaterThan(positions[0]);
      expect(second).toBeGreaterThan(first);
    }
    expect(eventsIn(log)).toHaveLength(0);
    await sub.unsubscribe();
  });

  it('never sends a checkpoint outside the log when nothing matched during catch-up (KDB-710)', async () => {
    const checkpoints: Position[] = [];
    const log: SubscriptionLogEntry[] = [];
    const sub = client.subscribeToAll({
      filter: streamNameFilter({ prefixes: ['nothing-matches-'], checkpointInterval: 1000, checkpointReached: (_s, p) => void checkpoints.push(p) }),
    });
    record(sub, log);
    await waitFor(() => log.some((x) => x.kind === 'caughtUp'), 15_000, () => `caughtUp; got ${JSON.stringify(log.map((x) => x.kind))}, ${checkpoints.length} checkpoints${target.double ? `, ${target.double.openReads} open reads` : ''}`);
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0].commit).not.toBe(ULONG_MAX);
    expect(checkpoints[0].commit).toBeLessThanOrEqual(await target.lastPosition());
    await sub.unsubscribe();
  });

  it('excludeSystemEvents and event type filters drop $-typed events', async () => {
    const s = uniqueStream('incident');
    await client.appendToStream(s, events(1, 'ClaimMade.v1'));
    await client.setStreamMetadata(s, { maxCount: 10 });
    await client.appendToStream(s, events(1, 'ClaimDenied.v1'));
    const last = await target.lastPosition();

    const collect = async (filter: Parameters<EventStoreDBClient['subscribeToAll']>[0]) => {
      const log: SubscriptionLogEntry[] = [];
      const sub = client.subscribeToAll(filter);
      record(sub, log);
      await waitForCaughtUp(log, 'caughtUp');
      await sub.unsubscribe();
      return eventsIn(log).filter((e) => e.position!.commit <= last);
    };
    const noSystem = await collect({ filter: excludeSystemEvents() });
    expect(noSystem.some((e) => e.type.startsWith('$'))).toBe(false);
    expect(noSystem.filter((e) => e.stream === s).map((e) => e.type)).toEqual(['ClaimMade.v1', 'ClaimDenied.v1']);

    const claims = await collect({ filter: eventTypeFilter({ prefixes: ['ClaimDenied.'] }) });
    expect(claims.map((e) => e.type)).toEqual(['ClaimDenied.v1']);

    const unfiltered = await collect({});
    expect(unfiltered.some((e) => e.type === '$metadata' && e.stream === '$$' + s)).toBe(true);
  });

  it('from a position delivers only what comes after it', async () => {
    const s = uniqueStream('incident');
    await client.appendToStream(s, events(3));
    const mine = await target.streamEvents(s);
    const log: SubscriptionLogEntry[] = [];
    const sub = client.subscribeToAll({
      fromPosition: { commit: mine[0].position, prepare: mine[0].position },
      filter: streamNameFilter({ prefixes: [s] }),
    });
    record(sub, log);
    await waitForCaughtUp(log, 'caughtUp');
    expect(eventsIn(log).map((e) => e.revision)).toEqual([1n, 2n]);
    await sub.unsubscribe();
  });
});

describe('subscribeToStream', () => {
  it('catches up, reports caught-up, then delivers live events; from a revision is exclusive', async () => {
    const target = await startEsdbTarget();
    const client = target.client();
    try {
      const s = uniqueStream('incident');
      await client.appendToStream(s, events(3));
      const log: SubscriptionLogEntry[] = [];
      const sub = client.subscribeToStream(s, { fromRevision: 0n });
      record(sub, log);
      await waitForCaughtUp(log, 'caughtUp');
      expect(log[0].kind).toBe('confirmation');
      expect(eventsIn(log).map((e) => e.revision)).toEqual([1n, 2n]);
      await client.appendToStream(s, events(1));
      await client.appendToStream(uniqueStream('incident'), events(1));
      await waitFor(() => eventsIn(log).length === 3, 15_000, 'live event');
      expect(eventsIn(log).map((e) => `${e.stream === s}:${e.revision}`)).toEqual(['true:1', 'true:2', 'true:3']);
      await sub.unsubscribe();
    } finally {
      await target.close();
    }
  });
});

describeOnDouble('outages', 'stop() and restart() are part of the double', () => describe.each<[EsdbDoubleMode, StopHow, typeof UnavailableError | typeof CancelledError]>([
  ['current', 'crash', UnavailableError],
  ['legacy', 'crash', UnavailableError],
  ['current', 'cancel-calls', CancelledError],
  ['legacy', 'cancel-calls', CancelledError],
])('outage (%s append path, stop: %s)', (mode, how, expectedError) => {
  it('stop() fails the live subscription and appends; restart() lets a new subscription resume with no gap and no duplicate', async () => {
    const double = await startEsdbDouble({ mode });
    const client = EventStoreDBClient.connectionString(double.connectionString);
    try {
      const prefix = `out${mode}${Date.now()}-`;
      const stream = `${prefix}x`;
      await client.appendToStream(stream, events(3));

      const log: SubscriptionLogEntry[] = [];
      const sub = client.subscribeToAll({ filter: streamNameFilter({ prefixes: [prefix] }) });
      record(sub, log);
      await waitForCaughtUp(log, 'caughtUp');
      await client.appendToStream(stream, events(2, 'Something.v1', 3));
      await waitFor(() => eventsIn(log).length === 5, 15_000, 'live events');
      expect(double.openReads).toBe(1);

      await double.stop(how);
      await waitFor(() => log.some((x) => x.kind === 'error'), 15_000, 'subscription error');
      const failure = log.find((x): x is Extract<SubscriptionLogEntry, { kind: 'error' }> => x.kind === 'error')!.error;
      // the client converts UNAVAILABLE / CANCELLED into these, and reconnects on its next call
      expect(failure).toBeInstanceOf(expectedError);
      expect(double.running).toBe(false);

      const count = double.appendedCount;
      const outage = await expectRejection(client.appendToStream(stream, events(1)));
      expect((outage as { code?: number }).code).toBe(grpc.status.UNAVAILABLE);
      expect(double.appendedCount).toBe(count);

      // written while the subscriber is away (e.g. by another ledger instance)
      await double.restart();
      await client.appendToStream(stream, events(2, 'Something.v1', 5));

      const last = eventsIn(log).at(-1)!;
      const resumed: SubscriptionLogEntry[] = [];
      const sub2 = client.subscribeToAll({ fromPosition: last.position!, filter: streamNameFilter({ prefixes: [prefix] }) });
      record(sub2, resumed);
      await waitForCaughtUp(resumed, 'caughtUp after restart');
      const all = [...eventsIn(log), ...eventsIn(resumed)];
      expect(all.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(all.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
      await sub2.unsubscribe();
      expect(double.calls['Streams.Append'] > 0).toBe(mode === 'legacy');
      expect(double.calls['Streams.BatchAppend'] > 0).toBe(mode === 'current');
    } finally {
      await disposeAll(client);
      await double.close();
    }
  });
}));
