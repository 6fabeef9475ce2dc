// Reads of a stream and of $all through the raw EventStoreDBClient against the double, or against the server named by
// EVENTSTORE_TEST_CONNECTION_STRING (tests/support/esdb-target.ts), whose log also holds other tests' streams.
import * as grpc from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  AccessDeniedError,
  EventStoreDBClient,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { describeOnDouble, describeOnInsecureNode, doubleOf, startEsdbTarget, type EsdbTarget } from '../support/esdb-target';
import { startEsdbDouble } from './esdb-double';
import { disposeAll, events, expectRejection, readAllOf, uniqueStream } from './helpers';

// Generous: CI machines here are shared and can stall for seconds; a passing run takes well under a second per test.
jest.setTimeout(30_000);

let target: EsdbTarget;
let client: EventStoreDBClient;

beforeAll(async () => {
  target = await startEsdbTarget();
  client = target.client();
});
afterAll(async () => {
  await target.close();
});

const revisions = (es: ResolvedEvent[]) => es.map((e) => e.event!.revision);

describe('readStream', () => {
  let stream: string;
  beforeAll(async () => {
    stream = uniqueStream('incident');
    await client.appendToStream(stream, events(5));
  });

  it('reads forwards from the start, from a revision, with a max count', async () => {
    expect(revisions(await readAllOf(client.readStream(stream)))).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(revisions(await readAllOf(client.readStream(stream, { fromRevision: 2n })))).toEqual([2n, 3n, 4n]);
    expect(revisions(await readAllOf(client.readStream(stream, { fromRevision: START, maxCount: 2 })))).toEqual([0n, 1n]);
    expect(revisions(await readAllOf(client.readStream(stream, { fromRevision: 9n })))).toEqual([]);
  });

  it('reads backwards from the end or from a revision (inclusive)', async () => {
    expect(revisions(await readAllOf(client.readStream(stream, { direction: BACKWARDS, fromRevision: END })))).toEqual([4n, 3n, 2n, 1n, 0n]);
    expect(revisions(await readAllOf(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n, maxCount: 2 })))).toEqual([2n, 1n]);
    expect(revisions(await readAllOf(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })))).toEqual([4n]);
  });

  it('a missing stream is a StreamNotFoundError, forwards and backwards', async () => {
    const missing = uniqueStream('incident');
    const fwd = await expectRejection(readAllOf(client.readStream(missing)));
    expect(fwd).toBeInstanceOf(StreamNotFoundError);
    expect(fwd).toMatchObject({ streamName: missing });
    const back = await expectRejection(readAllOf(client.readStream(missing, { direction: BACKWARDS, fromRevision: END })));
    expect(back).toBeInstanceOf(StreamNotFoundError);
  });

  it('events read from a stream carry their $all position', async () => {
    const read = await readAllOf(client.readStream(stream));
    const inAll = (await readAllOf(client.readAll())).filter((e) => e.event!.streamId === stream);
    expect(read.map((e) => e.event!.position)).toEqual(inAll.map((e) => e.event!.position));
    expect(read.map((e) => e.commitPosition)).toEqual(inAll.map((e) => e.commitPosition));
  });
});

describe('readAll', () => {
  // On a real server the log is not fresh (other tests wrote to it), so only what a node writes at its start is checked.
  it('contains the system events a node writes at its start, never $epoch-information', async () => {
    const all = (await readAllOf(client.readAll())).map((e) => e.event!);
    const system = all.filter((e) => e.streamId.startsWith('$') && e.type.startsWith('$'));
    expect(system.length).toBeGreaterThanOrEqual(5);
    expect(system.map((e) => e.streamId)).toEqual(expect.arrayContaining(['$$$scavenges', '$settings', '$users', '$projections-$all']));
    expect(system.some((e) => e.type === '$metadata')).toBe(true);
    expect(all.some((e) => e.streamId === '$epoch-information')).toBe(false);
  });

  describeOnDouble('a fresh node', 'needs a node nobody has written to', () => {
    it('holds nothing but system events', async () => {
      const fresh = await startEsdbDouble();
      const c = EventStoreDBClient.connectionString(fresh.connectionString);
      try {
        const all = (await readAllOf(c.readAll())).map((e) => e.event!);
        expect(all.length).toBeGreaterThanOrEqual(5);
        expect(all.every((e) => e.streamId.startsWith('$') && e.type.startsWith('$'))).toBe(true);
      } finally {
        await disposeAll(c);
        await fresh.close();
      }
    });
  });

  it('reads forwards in log order with strictly increasing positions, and backwards in reverse', async () => {
    const a = uniqueStream('incident');
    const b = uniqueStream('party');
    await client.appendToStream(a, events(2));
    await client.appendToStream(b, events(2));
    await client.appendToStream(a, events(1));
    const fwd = await readAllOf(client.readAll({ direction: FORWARDS, fromPosition: START }));
    const positions = fwd.map((e) => e.event!.position!.commit);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    const mine = fwd.map((e) => e.event!).filter((e) => e.streamId === a || e.streamId === b);
    expect(mine.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);

    // A real node goes on writing (standard projections' link events, other tests): compare what both reads saw.
    const back = await readAllOf(client.readAll({ direction: BACKWARDS, fromPosition: END }));
    const last = positions[positions.length - 1];
    expect(back.map((e) => e.event!.position!.commit).filter((p) => p <= last)).toEqual([...positions].reverse());
    expect(fwd.every((e) => e.commitPosition === e.event!.position!.commit)).toBe(true);
  });

  it('from a position: forwards includes the event at it, backwards starts before it', async () => {
    const s = uniqueStream('incident');
    await client.appendToStream(s, events(3));
    const mine = (await readAllOf(client.readAll())).filter((e) => e.event!.streamId === s).map((e) => e.event!);
    const from = mine[1].position!;
    const fwd = (await readAllOf(client.readAll({ fromPosition: from, maxCount: 2 }))).map((e) => e.event!);
    expect(fwd.map((e) => e.position)).toEqual([mine[1].position, mine[2].position]);
    const back = (await readAllOf(client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 1 }))).map((e) => e.event!);
    expect(back.map((e) => e.position)).toEqual([mine[0].position]);
  });

  it('refuses a position that is not the start of a record', async () => {
    const s = uniqueStream('incident');
    const r = await client.appendToStream(s, events(1));
    const bad = { commit: r.position!.commit - 1n, prepare: r.position!.prepare - 1n };
    const err = await expectRejection(readAllOf(client.readAll({ fromPosition: bad })));
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

describeOnDouble('read faults', 'injectFault is part of the double', () => {
  it.each([
    ['server-not-ready', UnavailableError],
    ['not-leader', NotLeaderError],
    ['access-denied', AccessDeniedError],
  ] as const)('an injected %s fails the read (and a subscription) as %p', async (fault, errorClass) => {
    const s = uniqueStream('incident');
    await client.appendToStream(s, events(1));
    const double = doubleOf(target);
    double.injectFault('read', fault);
    expect(await expectRejection(readAllOf(client.readStream(s)))).toBeInstanceOf(errorClass);
    double.injectFault('read', fault);
    const sub = client.subscribeToAll();
    const err = await new Promise((resolve) => sub.on('error', resolve).on('data', () => undefined));
    expect(err).toBeInstanceOf(errorClass);
    expect((await readAllOf(client.readStream(s))).length).toBe(1);
  });
});

describeOnInsecureNode('filtered read of $all (raw gRPC: the 6.x client only filters subscriptions)', () => {
  it('returns only matching events, up to the count, forwards and backwards', async () => {
    const { StreamsClient } = await import('@eventstore/db-client/generated/streams_grpc_pb');
    const { ReadReq } = await import('@eventstore/db-client/generated/streams_pb');
    const { Empty } = await import('@eventstore/db-client/generated/shared_pb');
    const prefix = uniqueStream('flt');
    await client.appendToStream(`${prefix}-a`, events(3));
    await client.appendToStream(uniqueStream('other'), events(2));
    await client.appendToStream(`${prefix}-b`, events(1));

    const read = (direction: 0 | 1, count: number) => {
      const options = new ReadReq.Options();
      const all = new ReadReq.Options.AllOptions();
      if (direction === 0) all.setStart(new Empty());
      else all.setEnd(new Empty());
      options.setAll(all);
      options.setReadDirection(direction);
      options.setCount(String(count));
      const uuid = new ReadReq.Options.UUIDOption();
      uuid.setStructured(new Empty());
      options.setUuidOption(uuid);
      const expr = new ReadReq.Options.FilterOptions.Expression();
      expr.setPrefixList([prefix]);
      const filter = new ReadReq.Options.FilterOptions();
      filter.setStreamIdentifier(expr);
      filter.setCount(new Empty());
      filter.setCheckpointintervalmultiplier(1);
      options.setFilter(filter);
      const req = new ReadReq();
      req.setOptions(options);
      const raw = new StreamsClient(target.address, grpc.credentials.createInsecure());
      return new Promise<string[]>((resolve, reject) => {
        const out: string[] = [];
        raw
          .read(req)
          .on('data', (resp) => {
            const e = resp.getEvent()?.getEvent();
            if (e) {
              expect(e.getId()!.hasStructured()).toBe(true);
              out.push(`${Buffer.from(e.getStreamIdentifier()!.getStreamName_asU8()).toString()}@${e.getStreamRevision()}`);
            }
          })
          .on('error', reject)
          .on('end', () => {
            raw.close();
            resolve(out);
          });
      });
    };
    expect(await read(0, 10)).toEqual([`${prefix}-a@0`, `${prefix}-a@1`, `${prefix}-a@2`, `${prefix}-b@0`]);
    expect(await read(1, 2)).toEqual([`${prefix}-b@0`, `${prefix}-a@2`]);
  });
});
