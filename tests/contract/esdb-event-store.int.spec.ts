import { eventHash } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { EsdbEventStore, NewEvent, RecordedEvent, START, Subscription } from '@ledger/event-store';
import { EsdbDouble, EsdbDoubleMode, startEsdbDouble } from '../esdb-double';
import { describeEventStoreContract } from './event-store.contract';

/*
 * The port's contract suite, unchanged, against EsdbEventStore talking gRPC to the in-repo EventStoreDB double, once
 * per append path of @eventstore/db-client 6.x:
 *  - 'current': the double answers ServerFeatures as EventStoreDB 24.10 does, so the client appends via BatchAppend;
 *  - 'legacy': no BatchAppend advertised, so the client uses the unary-stream Append.
 * The contract writes `contract<label>-<uuid>` streams, hence `streamPrefixes: ['contract']`.
 *
 * Below the contract, what is specific to EventStoreDB and the adapter: $all holds system events and other
 * applications' streams, metadata carries $correlationId/$causationId on the wire, and the path actually taken.
 */

const CONTRACT_STREAM_PREFIXES = ['contract'];
const MODES: EsdbDoubleMode[] = ['current', 'legacy'];

// Above Jest's 5 s default: on a loaded machine the first gRPC connection alone can take a second or more.
jest.setTimeout(20_000);

describe.each(MODES)('EventStoreDB double, %s append path', (mode) => {
  let double: EsdbDouble;

  beforeAll(async () => {
    double = await startEsdbDouble({ port: 0, mode });
  });

  afterAll(async () => {
    await double?.close();
  });

  describeEventStoreContract(`EsdbEventStore over the gRPC double (${mode})`, async () => {
    const store = new EsdbEventStore({ connectionString: double.connectionString, streamPrefixes: CONTRACT_STREAM_PREFIXES });
    return { store, cleanup: () => store.close() };
  }, { appendMany: 'in-order' });

  describe('EventStoreDB specifics', () => {
    let store: EsdbEventStore;
    const subscriptions: Subscription[] = [];

    beforeEach(() => {
      store = new EsdbEventStore({ connectionString: double.connectionString });
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
      await store.close();
    });

    it(`appended through ${mode === 'current' ? 'BatchAppend' : 'Append'} only`, () => {
      // Runs after the contract suite of this mode, which appended hundreds of times.
      if (mode === 'current') {
        expect(double.writes.batchAppend).toBeGreaterThan(100);
        expect(double.writes.append).toBe(0);
      } else {
        expect(double.writes.append).toBeGreaterThan(100);
        expect(double.writes.batchAppend).toBe(0);
      }
    });

    it('defaults to the ledger categories: readAll, headPosition and subscriptions skip system events and foreign streams', async () => {
      const head = await store.headPosition();
      const incident = `incident-${randomUUID()}`;
      const party = `party-osce-${randomUUID().slice(0, 8)}`;
      await store.append(incident, [ledgerEvent('IncidentReported.v1')]);
      double.appendDirect(`orders-${randomUUID()}`, [{ type: 'OrderPlaced', data: {} }]);
      double.appendDirect('$stats-127.0.0.1:2113', [{ type: '$statsCollected', data: {} }]);
      double.appendDirect(incident, [{ type: '$metadata-like', data: {} }]);
      await store.append(party, [ledgerEvent('PartyRegistered.v1')]);
      double.appendDirect(`$ce-incident`, [{ type: '$>', data: '0@' + incident }]);
      double.appendDirect(`contract-${randomUUID()}`, [{ type: 'NotTheLedgers.v1', data: {} }]);

      const all = await store.readAll({ fromPosition: head });
      const [newest] = await store.readAll({ direction: 'backwards', maxCount: 1 });
      const received: RecordedEvent[] = [];
      let caughtUp = false;
      subscriptions.push(
        store.subscribeToAll(
          { fromPosition: head },
          { onEvent: (event) => void received.push(event), onCaughtUp: () => (caughtUp = true) },
        ),
      );
      await waitFor(() => caughtUp, 'caught up');

      expect(all.map((event) => [event.streamName, event.type])).toEqual([
        [incident, 'IncidentReported.v1'],
        [party, 'PartyRegistered.v1'],
      ]);
      expect(newest.streamName).toBe(party);
      expect(await store.headPosition()).toBe(all[1].position);
      expect(received.map((event) => event.eventId)).toEqual(all.map((event) => event.eventId));
      // The raw log did move on past the ledger's head.
      const rawLast = double.events().at(-1)!;
      expect(rawLast.position > all[1].position).toBe(true);
    });

    it('pages through $all when many foreign events sit between ledger events', async () => {
      const small = new EsdbEventStore({ connectionString: double.connectionString, readPageSize: 7 });
      try {
        const head = await small.headPosition();
        const incident = `incident-${randomUUID()}`;
        const ids: string[] = [];
        for (let round = 0; round < 4; round += 1) {
          double.appendDirect(`orders-${randomUUID()}`, Array.from({ length: 10 }, () => ({ type: 'OrderPlaced', data: {} })));
          const event = ledgerEvent('ClaimMade.v1');
          ids.push(event.eventId);
          await small.append(incident, [event]);
        }
        double.appendDirect(`orders-${randomUUID()}`, Array.from({ length: 20 }, () => ({ type: 'OrderPlaced', data: {} })));

        const forwards = await small.readAll({ fromPosition: head });
        const backwards = await small.readAll({ direction: 'backwards', maxCount: 3 });
        const afterFirst = await small.readAll({ fromPosition: forwards[0].position, maxCount: 2 });

        expect(forwards.map((event) => event.eventId)).toEqual(ids);
        expect(backwards.map((event) => event.eventId)).toEqual(ids.slice(1).reverse());
        expect(afterFirst.map((event) => event.eventId)).toEqual(ids.slice(1, 3));
        expect(await small.headPosition()).toBe(forwards[3].position);
      } finally {
        await small.close();
      }
    });

    it('writes correlation and causation ids as $correlationId / $causationId on the wire and reads them back', async () => {
      const stream = `incident-${randomUUID()}`;
      const event = ledgerEvent('ClaimMade.v1');

      await store.append(stream, [event], { expectedRevision: 'no_stream' });

      const stored = double.events().find((candidate) => candidate.id === event.eventId)!;
      const wire = JSON.parse(Buffer.from(stored.metadata).toString('utf8')) as Record<string, unknown>;
      expect(wire).toMatchObject({ $correlationId: event.metadata.correlationId, $causationId: event.metadata.causationId });
      expect(wire).not.toHaveProperty('correlationId');
      expect(stored.type).toBe('ClaimMade.v1');
      expect(stored.isJson).toBe(true);
      expect(wire).toMatchObject({ prevHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const [read] = await store.readStream(stream);
      expect(read.metadata).toStrictEqual({ ...event.metadata, prevHash: null, hash: wire.hash });
      expect(read.metadata.hash).toBe(eventHash(read));
    });

    it('refuses to append what EventStoreDB cannot store exactly, before sending anything', async () => {
      const before = double.appendedCount;
      const stream = `incident-${randomUUID()}`;

      await expect(store.append(stream, [{ ...ledgerEvent('ClaimMade.v1'), eventId: 'claim-1' }])).rejects.toThrow(TypeError);
      await expect(store.append(stream, [ledgerEvent('$metadata')])).rejects.toThrow(TypeError);
      await expect(store.append(stream, [])).rejects.toThrow(RangeError);

      expect(double.appendedCount).toBe(before);
    });

    it('headPosition scans $all only down to where its previous call started', async () => {
      const scanning = new EsdbEventStore({ connectionString: double.connectionString, readPageSize: 50 });
      try {
        // The newest ledger event lies under 600 events of another application.
        await scanning.append(`incident-${randomUUID()}`, [ledgerEvent('IncidentReported.v1')]);
        for (let index = 0; index < 6; index += 1) {
          double.appendDirect(`orders-${randomUUID()}`, Array.from({ length: 100 }, () => ({ type: 'OrderPlaced', data: {} })));
        }
        const readsBefore = double.calls['Streams.Read'];
        const first = await scanning.headPosition();
        const readsForFirst = double.calls['Streams.Read'] - readsBefore;
        double.appendDirect(`orders-${randomUUID()}`, [{ type: 'OrderPlaced', data: {} }]);
        const second = await scanning.headPosition();
        const readsForSecond = double.calls['Streams.Read'] - readsBefore - readsForFirst;
        const incident = `incident-${randomUUID()}`;
        const appended = await scanning.append(incident, [ledgerEvent('IncidentReported.v1')]);
        double.appendDirect(`orders-${randomUUID()}`, [{ type: 'OrderPlaced', data: {} }]);

        expect(second).toBe(first);
        expect(readsForFirst).toBeGreaterThan(10);
        expect(readsForSecond).toBe(1);
        expect(await scanning.headPosition()).toBe(appended.position);
        expect(await store.headPosition()).toBe(appended.position);
      } finally {
        await scanning.close();
      }
    });

    it('pings the node and reports START as the head of a log without ledger events', async () => {
      const empty = await startEsdbDouble({ port: 0, mode });
      const fresh = new EsdbEventStore({ connectionString: empty.connectionString });
      try {
        await expect(fresh.ping()).resolves.toBeUndefined();
        expect(await fresh.headPosition()).toBe(START);
        expect(await fresh.readAll()).toEqual([]);
      } finally {
        await fresh.close();
        await empty.close();
      }
    });
  });
});

function ledgerEvent(type: string): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    data: { note: 'esdb specifics' },
    metadata: {
      recordedAt: new Date().toISOString(),
      recordedBy: 'esdb-test',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
