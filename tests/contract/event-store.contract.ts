import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  NewEvent,
  RecordedEvent,
  START,
  Subscription,
  WrongExpectedRevisionError,
} from '@ledger/event-store';
import { eventHash } from '@ledger/integrity';

/**
 * The behaviour every EventStore adapter must share, exercised only through the port. Written so that it also holds
 * against a long-lived EventStoreDB: positions are compared, never assumed dense or starting at 1, every test uses
 * its own streams, and global-log assertions start from the head captured at the beginning of the test.
 */
export interface StoreTraits {
  /** 'atomic': appendMany stores all writes or none; 'in-order': one append per write, the writes before a failure stay (see the port). */
  appendMany: 'atomic' | 'in-order';
}

export function describeEventStoreContract(
  name: string,
  createStore: () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>,
  traits: StoreTraits,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await createStore());
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
      await cleanup();
    });

    /** Subscribes and records everything the subscription reports; stopped automatically after the test. */
    function follow(
      fromPosition: bigint,
      onEvent?: (event: RecordedEvent, received: RecordedEvent[]) => Promise<void> | void,
    ): Follower {
      const follower: Follower = { received: [], caughtUp: [], errors: [], subscription: undefined as never };
      follower.subscription = store.subscribeToAll(
        { fromPosition },
        {
          // Not async, so that a handler throwing synchronously reaches the store as a synchronous throw.
          onEvent: (event) => {
            follower.received.push(event);
            return onEvent?.(event, follower.received);
          },
          onCaughtUp: (position) => {
            follower.caughtUp.push({ position, receivedSoFar: follower.received.length });
          },
          onError: (error) => {
            follower.errors.push(error);
          },
        },
      );
      subscriptions.push(follower.subscription);
      return follower;
    }

    async function appendOne(streamName: string, event: NewEvent = newEvent()): Promise<AppendResult> {
      return store.append(streamName, [event], { expectedRevision: 'any' });
    }

    async function expectNothingWritten(streamName: string, headBefore: bigint, rejectedIds: string[]): Promise<void> {
      expect(await store.headPosition()).toBe(headBefore);
      expect(await store.readAll({ fromPosition: headBefore })).toEqual([]);
      const storedIds = (await store.readStream(streamName)).map((event) => event.eventId);
      for (const id of rejectedIds) expect(storedIds).not.toContain(id);
    }

    describe('append with an expected revision', () => {
      it("'any' creates a stream at revision 0 and then appends after its last event", async () => {
        const stream = streamName('any');

        const first = await store.append(stream, [newEvent()], { expectedRevision: 'any' });
        const second = await store.append(stream, [newEvent(), newEvent()], { expectedRevision: 'any' });

        expect(first.nextExpectedRevision).toBe(0n);
        expect(second.nextExpectedRevision).toBe(2n);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
      });

      it("omitting the expected revision behaves as 'any'", async () => {
        const stream = streamName('default');

        await store.append(stream, [newEvent()]);
        const result = await store.append(stream, [newEvent()]);

        expect(result.nextExpectedRevision).toBe(1n);
      });

      it("'no_stream' creates a new stream and fails once the stream has events, writing nothing", async () => {
        const stream = streamName('no-stream');
        const created = await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
        expect(created.nextExpectedRevision).toBe(0n);
        const head = await store.headPosition();
        const rejected = newEvent();

        const error = await captureError(store.append(stream, [rejected], { expectedRevision: 'no_stream' }));

        expectWrongRevision(error, stream, 'no_stream', 0n);
        await expectNothingWritten(stream, head, [rejected.eventId]);
      });

      it("'stream_exists' fails on a stream without events, reporting no actual revision, and writes nothing", async () => {
        const stream = streamName('stream-exists-missing');
        const head = await store.headPosition();
        const rejected = newEvent();

        const error = await captureError(store.append(stream, [rejected], { expectedRevision: 'stream_exists' }));

        expectWrongRevision(error, stream, 'stream_exists', undefined);
        await expectNothingWritten(stream, head, [rejected.eventId]);
        expect(await store.streamRevision(stream)).toBeUndefined();
      });

      it("'stream_exists' appends to a stream that has events", async () => {
        const stream = streamName('stream-exists');
        await appendOne(stream);

        const result = await store.append(stream, [newEvent()], { expectedRevision: 'stream_exists' });

        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('an exact revision appends when it equals the last revision of the stream', async () => {
        const stream = streamName('exact');
        await store.append(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        const result = await store.append(stream, [newEvent()], { expectedRevision: 1n });

        expect(result.nextExpectedRevision).toBe(2n);
        expect(await store.streamRevision(stream)).toBe(2n);
      });

      it.each([
        ['behind', 0n],
        ['ahead', 5n],
      ])('an exact revision %s of the stream fails with the actual revision and writes nothing', async (_label, expected) => {
        const stream = streamName('exact-conflict');
        await store.append(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const rejected = newEvent();

        const error = await captureError(store.append(stream, [rejected], { expectedRevision: expected }));

        expectWrongRevision(error, stream, expected, 1n);
        await expectNothingWritten(stream, head, [rejected.eventId]);
      });

      it('an exact revision on a stream without events fails with no actual revision', async () => {
        const stream = streamName('exact-missing');
        const head = await store.headPosition();
        const rejected = newEvent();

        const error = await captureError(store.append(stream, [rejected], { expectedRevision: 0n }));

        expectWrongRevision(error, stream, 0n, undefined);
        await expectNothingWritten(stream, head, [rejected.eventId]);
      });

      it('returns the revision and the global position of the last event written', async () => {
        const stream = streamName('result');
        await appendOne(stream);

        const result = await store.append(stream, [newEvent(), newEvent(), newEvent()], { expectedRevision: 0n });

        const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
        expect(result).toEqual({ nextExpectedRevision: 3n, position: last.position });
        expect(last.revision).toBe(3n);
      });

      it('of concurrent appends expecting the same revision exactly one wins and the others conflict', async () => {
        const stream = streamName('race');
        await appendOne(stream);
        const contenders = Array.from({ length: 8 }, () => newEvent());

        const outcomes = await Promise.allSettled(
          contenders.map((event) => store.append(stream, [event], { expectedRevision: 0n })),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(contenders.length - 1);
        for (const outcome of lost) expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
        const stored = await store.readStream(stream);
        expect(stored).toHaveLength(2);
        expect(contenders[outcomes.indexOf(won[0])].eventId).toBe(stored[1].eventId);
      });

      it("of concurrent appends creating the same stream with 'no_stream' exactly one wins", async () => {
        const stream = streamName('race-create');

        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, () => store.append(stream, [newEvent()], { expectedRevision: 'no_stream' })),
        );

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
          expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect((outcome.reason as WrongExpectedRevisionError).actual).toBe(0n);
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('multi-event append', () => {
      it('gives the events of one call consecutive revisions and increasing positions', async () => {
        const stream = streamName('batch');
        await appendOne(stream);
        const batch = [newEvent(), newEvent(), newEvent(), newEvent()];

        const result = await store.append(stream, batch, { expectedRevision: 0n });

        const stored = (await store.readStream(stream)).slice(1);
        expect(stored.map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
        expect(stored.map((event) => event.revision)).toEqual([1n, 2n, 3n, 4n]);
        expectStrictlyIncreasing(stored.map((event) => event.position));
        expect(result.position).toBe(stored[3].position);
      });

      it('writes nothing when the batch repeats an event id', async () => {
        const stream = streamName('batch-duplicate');
        const head = await store.headPosition();
        const repeated = newEvent();
        const fresh = newEvent();

        const error = await captureError(
          store.append(stream, [repeated, fresh, repeated], { expectedRevision: 'no_stream' }),
        );

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.streamRevision(stream)).toBeUndefined();
        await expectNothingWritten(stream, head, [fresh.eventId]);
      });

      it('writes none of its new events when a later event reuses an id stored earlier in the stream', async () => {
        const stream = streamName('batch-reuse');
        const stored = newEvent();
        await store.append(stream, [stored, newEvent()], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const freshA = newEvent();
        const freshB = newEvent();

        const error = await captureError(store.append(stream, [freshA, freshB, stored], { expectedRevision: 'any' }));

        expectWrongRevision(error, stream, 'any', 1n);
        await expectNothingWritten(stream, head, [freshA.eventId, freshB.eventId]);
        expect(await store.streamRevision(stream)).toBe(1n);
      });
    });

    describe('appending to several streams at once', () => {
      it('makes each write with its own expected revision and answers their results in order', async () => {
        const [a, b, c] = [streamName('many-a'), streamName('many-b'), streamName('many-c')];
        await appendOne(b);
        const writes = [
          { streamName: a, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' as const },
          { streamName: b, events: [newEvent()], expectedRevision: 0n },
          { streamName: c, events: [newEvent()] },
        ];

        const results = await store.appendMany(writes);

        const stored = await Promise.all([a, b, c].map((stream) => store.readStream(stream)));
        expect(stored.map((events) => events.map((event) => event.eventId))).toEqual([
          writes[0].events.map((event) => event.eventId),
          [stored[1][0].eventId, writes[1].events[0].eventId],
          [writes[2].events[0].eventId],
        ]);
        expect(results).toEqual([
          { nextExpectedRevision: 1n, position: stored[0][1].position },
          { nextExpectedRevision: 1n, position: stored[1][1].position },
          { nextExpectedRevision: 0n, position: stored[2][0].position },
        ]);
        expectStrictlyIncreasing(results.map((result) => result.position));
      });

      it('lets a later write to the same stream follow an earlier one, on one hash chain', async () => {
        const stream = streamName('many-same');
        const results = await store.appendMany([
          { streamName: stream, events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream, events: [newEvent()], expectedRevision: 0n },
        ]);
        expect(results.map((result) => result.nextExpectedRevision)).toEqual([0n, 1n]);
        const [first, second] = await store.readStream(stream);
        expect(second.metadata.prevHash).toBe(first.metadata.hash);
      });

      it(
        traits.appendMany === 'atomic'
          ? 'a conflicting write fails the call naming its stream, and none of the writes is stored'
          : 'a conflicting write fails the call naming its stream; the writes before it stay stored, those after it are not made',
        async () => {
          const [a, b, c] = [streamName('many-ok'), streamName('many-conflict'), streamName('many-after')];
          const head = await store.headPosition();
          const before = newEvent();

          const error = await captureError(
            store.appendMany([
              { streamName: a, events: [before], expectedRevision: 'no_stream' },
              { streamName: b, events: [newEvent()], expectedRevision: 3n },
              { streamName: c, events: [newEvent()], expectedRevision: 'any' },
            ]),
          );

          expectWrongRevision(error, b, 3n, undefined);
          expect(await store.readStream(b)).toEqual([]);
          expect(await store.readStream(c)).toEqual([]);
          if (traits.appendMany === 'atomic') {
            await expectNothingWritten(a, head, [before.eventId]);
          } else {
            expect((await store.readStream(a)).map((event) => event.eventId)).toEqual([before.eventId]);
          }
        },
      );

      it('replaying a stored call with the same event ids writes nothing and answers the original results', async () => {
        const [a, b] = [streamName('many-replay-a'), streamName('many-replay-b')];
        const writes = [
          { streamName: a, events: [newEvent()], expectedRevision: 'no_stream' as const },
          { streamName: b, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' as const },
        ];
        const original = await store.appendMany(writes);
        const head = await store.headPosition();

        expect(await store.appendMany(writes)).toEqual(original);
        expect(await store.headPosition()).toBe(head);
      });

      it('refuses an empty call and a write without events before writing anything', async () => {
        const stream = streamName('many-invalid');
        const head = await store.headPosition();
        await expect(store.appendMany([])).rejects.toThrow(RangeError);
        const error = await captureError(
          store.appendMany([
            { streamName: stream, events: [newEvent()] },
            { streamName: streamName('many-empty'), events: [] },
          ]),
        );
        expect(error).toBeInstanceOf(RangeError);
        await expectNothingWritten(stream, head, []);
      });
    });

    describe('data JSON cannot carry', () => {
      it.each([
        ['NaN', { casualties: Number.NaN }],
        ['Infinity', { casualties: Number.POSITIVE_INFINITY }],
        ['a bigint', { casualties: 1n }],
      ])("refuses data holding %s as the caller's TypeError, alone or in a call to several streams, and writes nothing", async (_what, data) => {
        const stream = streamName('unencodable');
        const head = await store.headPosition();
        const bad = { ...newEvent(), data };
        expect(await captureError(store.append(stream, [bad]))).toBeInstanceOf(TypeError);
        const good = newEvent();
        const error = await captureError(
          store.appendMany([
            { streamName: streamName('unencodable-first'), events: [good] },
            { streamName: stream, events: [newEvent(), bad] },
          ]),
        );
        expect(error).toBeInstanceOf(TypeError);
        await expectNothingWritten(stream, head, [bad.eventId]);
      });
    });

    describe('idempotent append by event id', () => {
      it("replaying a stored batch with 'any' writes nothing and returns the original result", async () => {
        const stream = streamName('idempotent-any');
        const batch = [newEvent(), newEvent()];
        const original = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        await appendOne(stream);
        const head = await store.headPosition();

        const replay = await store.append(stream, batch, { expectedRevision: 'any' });

        expect(replay).toEqual(original);
        expect(replay.nextExpectedRevision).toBe(1n);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('replaying with the revision the original append was made against writes nothing and returns the original result', async () => {
        const stream = streamName('idempotent-exact');
        const opening = newEvent();
        const openingResult = await store.append(stream, [opening], { expectedRevision: 'no_stream' });
        const batch = [newEvent(), newEvent()];
        const original = await store.append(stream, batch, { expectedRevision: 0n });
        const head = await store.headPosition();

        const replayOfBatch = await store.append(stream, batch, { expectedRevision: 0n });
        const replayOfOpening = await store.append(stream, [opening], { expectedRevision: 'no_stream' });

        expect(replayOfBatch).toEqual(original);
        expect(replayOfOpening).toEqual(openingResult);
        expect(await store.headPosition()).toBe(head);
        expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual([
          opening.eventId,
          ...batch.map((event) => event.eventId),
        ]);
      });

      it.each([
        ['an exact revision other than the original one', 1n],
        ["'no_stream' when the original append expected a revision", 'no_stream' as const],
      ])('replaying a stored batch with %s fails and writes nothing', async (_label, expected) => {
        const stream = streamName('idempotent-mismatch');
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const batch = [newEvent(), newEvent()];
        await store.append(stream, batch, { expectedRevision: 0n });
        const head = await store.headPosition();

        const error = await captureError(store.append(stream, batch, { expectedRevision: expected }));

        expectWrongRevision(error, stream, expected, 2n);
        await expectNothingWritten(stream, head, []);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it.each([
        ['a stored id followed by a new one', (stored: NewEvent[], fresh: NewEvent) => [stored[1], fresh]],
        ['a new id followed by a stored one', (stored: NewEvent[], fresh: NewEvent) => [fresh, stored[0]]],
        ['stored ids in a different order', (stored: NewEvent[]) => [stored[1], stored[0]]],
        ['stored ids that are not consecutive', (stored: NewEvent[]) => [stored[0], stored[2]]],
      ])('a partial overlap (%s) fails and writes nothing', async (_label, makeBatch) => {
        const stream = streamName('idempotent-partial');
        const stored = [newEvent(), newEvent(), newEvent()];
        await store.append(stream, stored, { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const fresh = newEvent();

        const error = await captureError(store.append(stream, makeBatch(stored, fresh), { expectedRevision: 'any' }));

        expectWrongRevision(error, stream, 'any', 2n);
        await expectNothingWritten(stream, head, [fresh.eventId]);
        expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual(
          stored.map((event) => event.eventId),
        );
      });

      it('accepts the same event id in two different streams', async () => {
        const first = streamName('shared-id-a');
        const second = streamName('shared-id-b');
        const event = newEvent();

        const inFirst = await store.append(first, [event], { expectedRevision: 'no_stream' });
        const inSecond = await store.append(second, [event], { expectedRevision: 'no_stream' });

        expect(inSecond.nextExpectedRevision).toBe(0n);
        expect(inSecond.position > inFirst.position).toBe(true);
        const [storedInSecond] = await store.readStream(second);
        expect(storedInSecond).toMatchObject({ eventId: event.eventId, streamName: second, revision: 0n });
      });
    });

    describe('reading a stream', () => {
      async function streamOfFive() {
        const stream = streamName('read');
        const events = Array.from({ length: 5 }, (_, index) => newEvent(`Numbered.v1`, { index }));
        const result = await store.append(stream, events, { expectedRevision: 'no_stream' });
        return { stream, events, result };
      }

      it('returns recorded events with their stream, type, id, revision, position and content', async () => {
        const stream = streamName('recorded');
        const event = newEvent('ClaimMade.v1', { says: 'shelling' });

        const result = await store.append(stream, [event], { expectedRevision: 'no_stream' });

        expect(await store.readStream(stream)).toEqual([
          {
            eventId: event.eventId,
            type: 'ClaimMade.v1',
            streamName: stream,
            revision: 0n,
            position: result.position,
            data: { says: 'shelling' },
            metadata: { ...event.metadata, prevHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
          },
        ]);
      });

      it('forwards: from the first event by default, from an inclusive revision, up to maxCount', async () => {
        const { stream } = await streamOfFive();
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, options)).map((event) => event.revision);

        expect(await revisions({})).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(await revisions({ direction: 'forwards', fromRevision: 2n })).toEqual([2n, 3n, 4n]);
        expect(await revisions({ maxCount: 2 })).toEqual([0n, 1n]);
        expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1n, 2n]);
        expect(await revisions({ fromRevision: 5n })).toEqual([]);
      });

      it('backwards: from the last event by default, from an inclusive revision, up to maxCount', async () => {
        const { stream } = await streamOfFive();
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, { direction: 'backwards', ...options })).map((event) => event.revision);

        expect(await revisions({})).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect(await revisions({ fromRevision: 2n })).toEqual([2n, 1n, 0n]);
        expect(await revisions({ maxCount: 2 })).toEqual([4n, 3n]);
        expect(await revisions({ fromRevision: 3n, maxCount: 2 })).toEqual([3n, 2n]);
      });

      it('returns an empty list for a stream without events, in both directions', async () => {
        const stream = streamName('missing');

        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
      });

      it('round-trips data and metadata as JSON exactly', async () => {
        const stream = streamName('round-trip');
        const data = {
          title: 'Ceasefire violation near Martakert — «обстрел» / հրադադարի խախտում / atəşkəs 🕊️',
          victims: [{ name: 'Ադամ', rank: null }, { name: 'Əli Məmmədov', rank: 'lieutenant' }],
          casualties: { best: 1, low: 0, high: 3, ratio: 0.125, negative: -42, tiny: 1e-7, big: 9007199254740991 },
          flags: { confirmed: false, disputed: true },
          empty: { object: {}, array: [], text: '' },
          nested: { level1: { level2: { level3: ['a', 1, true, null, { deep: 'yes' }] } } },
          escapes: 'quote " backslash \\ newline \n tab \t nul-free',
        };
        const metadata: EventMetadata = {
          ...baseMetadata(),
          idempotencyKey: 'key-Ω-1',
          requestHash: 'sha256:00ff',
          extra: { source: 'Armenpress', tags: ['mfa', 'statement'] },
        };
        const event: NewEvent = { eventId: randomUUID(), type: 'RoundTrip.v1', data, metadata };

        await store.append(stream, [event], { expectedRevision: 'no_stream' });

        const [stored] = await store.readStream(stream);
        expect(stored.data).toStrictEqual(data);
        expect(stored.metadata).toStrictEqual({ ...metadata, prevHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      });
    });

    describe('hash chain, computed by the store at append', () => {
      const expectChained = (events: RecordedEvent[]): void => {
        events.forEach((event, index) => {
          expect(event.revision).toBe(BigInt(index));
          expect(event.metadata.prevHash).toBe(index === 0 ? null : events[index - 1].metadata.hash);
          expect(event.metadata.hash).toBe(eventHash(event));
        });
      };

      it('links every event to the one before it in its stream, over single and multi-event appends', async () => {
        const stream = streamName('chain');
        await store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
        await store.append(stream, [newEvent(), newEvent(), newEvent()], { expectedRevision: 0n });
        await store.append(stream, [newEvent('Chained.v1', { n: 5, text: 'Ωmega «quoted»' })], { expectedRevision: 'any' });

        const events = await store.readStream(stream);
        expect(events).toHaveLength(5);
        expectChained(events);
        expect(new Set(events.map((event) => event.metadata.hash)).size).toBe(5);
      });

      it('keeps one linear chain when appends with any race on the same stream', async () => {
        const stream = streamName('chain-race');
        await Promise.all(Array.from({ length: 12 }, () => store.append(stream, [newEvent()], { expectedRevision: 'any' })));

        expectChained(await store.readStream(stream));
      });

      it('starts every stream its own chain and hands the same links to readAll and the subscription', async () => {
        const head = await store.headPosition();
        const [a, b] = [streamName('chain-a'), streamName('chain-b')];
        await appendOne(a);
        await appendOne(b);
        await appendOne(a);
        const follower = follow(head);
        await waitFor(() => follower.received.length >= 3, 'three events');

        const fromLog = await store.readAll({ fromPosition: head });
        expect(fromLog.map((event) => event.metadata)).toEqual(follower.received.map((event) => event.metadata));
        const [firstA, firstB, secondA] = fromLog;
        expect(firstA.metadata.prevHash).toBeNull();
        expect(firstB.metadata.prevHash).toBeNull();
        expect(secondA.metadata.prevHash).toBe(firstA.metadata.hash);
      });

      it("overwrites links a caller puts in the metadata: the chain is the store's to compute", async () => {
        const stream = streamName('chain-forged');
        const forged: NewEvent = { ...newEvent(), metadata: { ...baseMetadata(), prevHash: 'f'.repeat(64), hash: '0'.repeat(64) } };
        await appendOne(stream);
        await appendOne(stream, forged);

        const events = await store.readStream(stream);
        expectChained(events);
        expect(events[1].metadata.hash).not.toBe('0'.repeat(64));
      });

      it('answers an idempotent re-append with the stored event, its links unchanged', async () => {
        const stream = streamName('chain-idempotent');
        const event = newEvent();
        await store.append(stream, [event], { expectedRevision: 'no_stream' });
        const before = await store.readStream(stream);
        await store.append(stream, [event], { expectedRevision: 'no_stream' });

        expect(await store.readStream(stream)).toEqual(before);
      });
    });

    describe('stream revision and head position', () => {
      it('reports no revision for a stream without events and the last revision otherwise', async () => {
        const stream = streamName('revision');
        expect(await store.streamRevision(stream)).toBeUndefined();

        await store.append(stream, [newEvent(), newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        expect(await store.streamRevision(stream)).toBe(2n);
      });

      it('moves the head position to the position of each append', async () => {
        const before = await store.headPosition();
        expect(before >= START).toBe(true);

        const first = await appendOne(streamName('head-a'));
        expect(await store.headPosition()).toBe(first.position);
        const second = await store.append(streamName('head-b'), [newEvent(), newEvent()]);

        expect(first.position > before).toBe(true);
        expect(second.position > first.position).toBe(true);
        expect(await store.headPosition()).toBe(second.position);
      });

      it('reports the position of the newest event in the global log as the head', async () => {
        await appendOne(streamName('head-last'));

        const [newest] = await store.readAll({ direction: 'backwards', maxCount: 1 });

        expect(await store.headPosition()).toBe(newest.position);
      });
    });

    describe('reading the global log', () => {
      /** Appends one by one across streams, so commit order is known. */
      async function interleaved() {
        const head = await store.headPosition();
        const [a, b, c] = [streamName('all-a'), streamName('all-b'), streamName('all-c')];
        const plan: Array<[string, NewEvent[]]> = [
          [a, [newEvent()]],
          [b, [newEvent(), newEvent()]],
          [a, [newEvent()]],
          [c, [newEvent()]],
          [b, [newEvent()]],
        ];
        const written: Array<{ streamName: string; eventId: string }> = [];
        const positions: bigint[] = [];
        for (const [stream, events] of plan) {
          const result = await store.append(stream, events);
          written.push(...events.map((event) => ({ streamName: stream, eventId: event.eventId })));
          positions.push(result.position);
        }
        return { head, written, lastPositionOfEachAppend: positions };
      }

      it('forwards from a position returns what was committed after it, across streams, in commit order', async () => {
        const { head, written, lastPositionOfEachAppend } = await interleaved();

        const all = await store.readAll({ fromPosition: head });

        expect(all.map(({ streamName, eventId }) => ({ streamName, eventId }))).toEqual(written);
        expectStrictlyIncreasing([head, ...all.map((event) => event.position)]);
        expect(lastPositionOfEachAppend).toEqual([
          all[0].position,
          all[2].position,
          all[3].position,
          all[4].position,
          all[5].position,
        ]);
      });

      it('forwards excludes the event at the given position and stops at maxCount', async () => {
        const { head, written } = await interleaved();
        const all = await store.readAll({ fromPosition: head });

        const afterSecond = await store.readAll({ fromPosition: all[1].position });
        const firstTwo = await store.readAll({ fromPosition: head, maxCount: 2 });

        expect(afterSecond.map((event) => event.eventId)).toEqual(written.slice(2).map((event) => event.eventId));
        expect(firstTwo.map((event) => event.eventId)).toEqual(written.slice(0, 2).map((event) => event.eventId));
      });

      it('backwards from the end by default returns the newest events first', async () => {
        const { written } = await interleaved();

        const newest = await store.readAll({ direction: 'backwards', maxCount: 3 });

        expect(newest.map((event) => event.eventId)).toEqual(
          written
            .slice(-3)
            .reverse()
            .map((event) => event.eventId),
        );
        expectStrictlyIncreasing(newest.map((event) => event.position).reverse());
      });

      it('backwards from a position returns only events strictly before it', async () => {
        const { head, written } = await interleaved();
        const all = await store.readAll({ fromPosition: head });

        const beforeFifth = await store.readAll({ direction: 'backwards', fromPosition: all[4].position, maxCount: 4 });

        expect(beforeFifth.map((event) => event.eventId)).toEqual(
          written
            .slice(0, 4)
            .reverse()
            .map((event) => event.eventId),
        );
      });

      it('gives each event the same position in the global log as in its stream', async () => {
        const { head } = await interleaved();
        const all = await store.readAll({ fromPosition: head });

        for (const event of all) {
          const [inStream] = await store.readStream(event.streamName, { fromRevision: event.revision, maxCount: 1 });
          expect(inStream).toEqual(event);
        }
      });
    });

    describe('subscription to the global log', () => {
      it('catches up from the checkpoint, reports being caught up, then follows live appends', async () => {
        const head = await store.headPosition();
        const stream = streamName('sub-live');
        const stored = [newEvent(), newEvent(), newEvent()];
        const storedResult = await store.append(stream, stored);

        const follower = follow(head);
        await waitFor(() => follower.caughtUp.length > 0, 'caught up');
        const live = [newEvent(), newEvent()];
        await store.append(stream, [live[0]]);
        await store.append(streamName('sub-live-other'), [live[1]]);
        await waitFor(() => follower.received.length >= 5, 'five events');

        expect(follower.received.map((event) => event.eventId)).toEqual(
          [...stored, ...live].map((event) => event.eventId),
        );
        expect(follower.caughtUp[0].receivedSoFar).toBe(3);
        expect(follower.caughtUp[0].position >= storedResult.position).toBe(true);
        expect(follower.errors).toEqual([]);
      });

      it('starts strictly after the checkpoint', async () => {
        const stream = streamName('sub-from');
        const events = [newEvent(), newEvent(), newEvent(), newEvent()];
        await store.append(stream, events);
        const [, second] = await store.readStream(stream);

        const follower = follow(second.position);
        await waitFor(() => follower.caughtUp.length > 0, 'caught up');

        expect(follower.received.map((event) => event.eventId)).toEqual(events.slice(2).map((event) => event.eventId));
      });

      it('reports being caught up when there is nothing after the checkpoint', async () => {
        await appendOne(streamName('sub-empty'));
        const head = await store.headPosition();

        const follower = follow(head);
        await waitFor(() => follower.caughtUp.length > 0, 'caught up');

        expect(follower.received).toEqual([]);
        expect(follower.caughtUp[0].position >= head).toBe(true);
      });

      it('delivers in global order, once each, one at a time, under a slow handler and concurrent appends', async () => {
        const head = await store.headPosition();
        const streams = Array.from({ length: 4 }, (_, index) => streamName(`sub-order-${index}`));
        await store.append(streams[0], [newEvent(), newEvent()]);
        let inFlight = 0;
        let maxInFlight = 0;
        const follower = follow(head, async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(1 + Math.floor(Math.random() * 4));
          inFlight -= 1;
        });

        await Promise.all(
          Array.from({ length: 24 }, (_, index) =>
            store.append(streams[index % streams.length], index % 3 === 0 ? [newEvent(), newEvent()] : [newEvent()]),
          ),
        );
        const expected = await store.readAll({ fromPosition: head });
        await waitFor(() => follower.received.length >= expected.length, `${expected.length} events`);
        await sleep(50);

        expect(expected).toHaveLength(2 + 24 + 8);
        expect(follower.received.map((event) => event.position)).toEqual(expected.map((event) => event.position));
        expect(follower.received.map((event) => event.eventId)).toEqual(expected.map((event) => event.eventId));
        expect(maxInFlight).toBe(1);
        expect(follower.errors).toEqual([]);
      });

      it('delivers nothing once stop() has resolved', async () => {
        const head = await store.headPosition();
        const stream = streamName('sub-stop');
        const follower = follow(head);
        await waitFor(() => follower.caughtUp.length > 0, 'caught up');
        await appendOne(stream);
        await waitFor(() => follower.received.length === 1, 'first event');

        await follower.subscription.stop();
        const caughtUpCalls = follower.caughtUp.length;
        await store.append(stream, [newEvent(), newEvent()]);
        await sleep(150);

        expect(follower.received).toHaveLength(1);
        expect(follower.caughtUp).toHaveLength(caughtUpCalls);
      });

      it('stop() waits for the handler in progress and lets no further event through', async () => {
        const head = await store.headPosition();
        let handlerFinished = false;
        const follower = follow(head, async () => {
          await sleep(80);
          handlerFinished = true;
        });
        await store.append(streamName('sub-stop-slow'), [newEvent(), newEvent()]);
        await waitFor(() => follower.received.length === 1, 'handler started');

        await follower.subscription.stop();

        expect(handlerFinished).toBe(true);
        await sleep(120);
        expect(follower.received).toHaveLength(1);
      });

      it.each([
        ['throws', () => (error: Error) => {
          throw error;
        }],
        ['rejects', () => async (error: Error) => {
          await sleep(1);
          throw error;
        }],
      ])('a handler that %s stops the subscription and the error reaches onError', async (_label, makeFailure) => {
        const head = await store.headPosition();
        const stream = streamName('sub-error');
        const failure = new Error('projection failed');
        const fail = makeFailure();
        const follower = follow(head, (_event, received) => (received.length === 2 ? fail(failure) : undefined));
        await store.append(stream, [newEvent(), newEvent(), newEvent()]);

        await waitFor(() => follower.errors.length > 0, 'onError');
        await store.append(stream, [newEvent()]);
        await sleep(150);

        expect(follower.errors).toEqual([failure]);
        expect(follower.received).toHaveLength(2);
        await follower.subscription.stop();
      });

      it('a new subscription resumed from the last delivered position gets exactly the remaining events', async () => {
        const head = await store.headPosition();
        const stream = streamName('sub-resume');
        const events = Array.from({ length: 5 }, () => newEvent());
        await store.append(stream, events);
        let lastDelivered: bigint | undefined;
        const first = follow(head, async (event, received) => {
          lastDelivered = event.position;
          if (received.length === 2) await first.subscription.stop();
        });
        await waitFor(() => lastDelivered !== undefined && first.received.length === 2, 'two events');
        await sleep(30);
        const later = [newEvent(), newEvent()];
        await store.append(stream, later);

        const resumed = follow(lastDelivered!);
        await waitFor(() => resumed.received.length >= 5, 'remaining events');
        await sleep(30);

        expect(first.received).toHaveLength(2);
        expect([...first.received, ...resumed.received].map((event) => event.eventId)).toEqual(
          [...events, ...later].map((event) => event.eventId),
        );
      });

      it('serves several concurrent subscribers each with every event in the same order', async () => {
        const head = await store.headPosition();
        await appendOne(streamName('sub-many-a'));
        const followers = [follow(head), follow(head), follow(head)];
        await store.append(streamName('sub-many-b'), [newEvent(), newEvent()]);
        await appendOne(streamName('sub-many-a'));
        const expected = (await store.readAll({ fromPosition: head })).map((event) => event.eventId);

        await waitFor(
          () => followers.every((follower) => follower.received.length >= expected.length),
          'every subscriber has every event',
        );
        await sleep(30);

        expect(expected).toHaveLength(4);
        for (const follower of followers) {
          expect(follower.received.map((event) => event.eventId)).toEqual(expected);
        }
      });
    });
  });
}

interface Follower {
  received: RecordedEvent[];
  caughtUp: Array<{ position: bigint; receivedSoFar: number }>;
  errors: unknown[];
  subscription: Subscription;
}

function streamName(label: string): string {
  return `contract${label.replace(/-/g, '_')}-${randomUUID()}`;
}

function baseMetadata(): EventMetadata {
  return {
    recordedAt: new Date().toISOString(),
    recordedBy: 'contract-test',
    correlationId: randomUUID(),
    causationId: randomUUID(),
  };
}

function newEvent(type = 'ContractTested.v1', data: unknown = { note: 'contract' }): NewEvent {
  return { eventId: randomUUID(), type, data, metadata: baseMetadata() };
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail, it succeeded');
}

function expectWrongRevision(
  error: unknown,
  streamName: string,
  expected: WrongExpectedRevisionError['expected'],
  actual: bigint | undefined,
): void {
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  const wrong = error as WrongExpectedRevisionError;
  expect(wrong.streamName).toBe(streamName);
  expect(wrong.expected).toBe(expected);
  expect(wrong.actual).toBe(actual);
}

function expectStrictlyIncreasing(values: bigint[]): void {
  for (let index = 1; index < values.length; index += 1) {
    expect(values[index] > values[index - 1]).toBe(true);
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
