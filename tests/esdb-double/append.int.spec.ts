// Appends through the raw EventStoreDBClient against the double, on both client paths:
// BatchAppend (what the client uses against 24.10) and the legacy Append RPC. With EVENTSTORE_TEST_CONNECTION_STRING,
// the 24.10 part runs against that server instead (tests/support/esdb-target.ts), which validates the double.
import { randomUUID } from 'node:crypto';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  BACKWARDS,
  END,
  AccessDeniedError,
  DeadlineExceededError,
  EventStoreDBClient,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
} from '@eventstore/db-client';
import { describeOnDouble, doubleOf, itOnDouble, startEsdbTarget, type EsdbTarget } from '../support/esdb-target';
import type { EsdbDoubleOptions, EsdbFault } from './esdb-double';
import { events, expectRejection, readAllOf, uniqueStream } from './helpers';

// Generous: CI machines here are shared and can stall for seconds; a passing run takes well under a second per test.
jest.setTimeout(30_000);

const paths: Array<[string, EsdbDoubleOptions, 'batchAppend' | 'append']> = [
  ['24.10 (BatchAppend)', {}, 'batchAppend'],
  ['legacy server, no ServerFeatures (Append)', { mode: 'legacy' }, 'append'],
  ['legacy server, features without batchappend (Append)', { mode: 'legacy', legacyServerFeatures: 'without-batch-append' }, 'append'],
];

const COUNTERS = "reads the double's own RPC and write counters";

for (const [label, options, path] of paths) {
  const title = `appendToStream against ${label}`;
  if (options.mode === 'legacy') describeOnDouble(title, 'a server without BatchAppend, which only the double imitates here', () => appendTests(options, path));
  else describe(title, () => appendTests(options, path));
}

function appendTests(options: EsdbDoubleOptions, path: 'batchAppend' | 'append'): void {
  let target: EsdbTarget;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    target = await startEsdbTarget(options);
    client = target.client();
  });
  afterAll(async () => {
    await target.close();
  });

  itOnDouble(`takes the ${path} path and no other`, COUNTERS, async () => {
    const double = doubleOf(target);
    const before = double.writes;
    await client.appendToStream(uniqueStream('path'), events(2));
    const after = double.writes;
    const other = path === 'batchAppend' ? 'append' : 'batchAppend';
    expect(after[path]).toBe(before[path] + 1);
    expect(after[other]).toBe(0);
    if (path === 'batchAppend') expect(double.calls['Streams.Append']).toBe(0);
    else expect(double.calls['Streams.BatchAppend']).toBe(0);
  });

  it('no_stream: creates a stream once, then reports the current revision', async () => {
    const stream = uniqueStream('incident');
    const first = await client.appendToStream(stream, events(3), { expectedRevision: NO_STREAM });
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(2n);
    expect(first.position!.commit).toBe(first.position!.prepare);

    const err = await expectRejection(client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM }));
    expect(err).toBeInstanceOf(WrongExpectedVersionError);
    expect(err).toMatchObject({ streamName: stream, expectedVersion: NO_STREAM, actualVersion: 2n });
  });

  it('exact revision: succeeds when it matches, fails with the actual revision when it does not', async () => {
    const stream = uniqueStream('incident');
    await client.appendToStream(stream, events(2), { expectedRevision: NO_STREAM });
    const ok = await client.appendToStream(stream, events(1), { expectedRevision: 1n });
    expect(ok.nextExpectedRevision).toBe(2n);

    const stale = await expectRejection(client.appendToStream(stream, events(1), { expectedRevision: 0n }));
    expect(stale).toBeInstanceOf(WrongExpectedVersionError);
    expect(stale).toMatchObject({ expectedVersion: 0n, actualVersion: 2n });

    const ahead = await expectRejection(client.appendToStream(stream, events(1), { expectedRevision: 7n }));
    expect(ahead).toMatchObject({ expectedVersion: 7n, actualVersion: 2n });

    const missing = await expectRejection(client.appendToStream(uniqueStream('incident'), events(1), { expectedRevision: 0n }));
    expect(missing).toBeInstanceOf(WrongExpectedVersionError);
    expect(missing).toMatchObject({ expectedVersion: 0n, actualVersion: NO_STREAM });
  });

  it('stream_exists: fails on a missing stream, succeeds on an existing one', async () => {
    const stream = uniqueStream('incident');
    const err = await expectRejection(client.appendToStream(stream, events(1), { expectedRevision: STREAM_EXISTS }));
    expect(err).toBeInstanceOf(WrongExpectedVersionError);
    expect(err).toMatchObject({ expectedVersion: STREAM_EXISTS, actualVersion: NO_STREAM });
    await client.appendToStream(stream, events(1));
    const ok = await client.appendToStream(stream, events(1), { expectedRevision: STREAM_EXISTS });
    expect(ok.nextExpectedRevision).toBe(1n);
  });

  it('any: always appends new events', async () => {
    const stream = uniqueStream('incident');
    expect((await client.appendToStream(stream, events(1), { expectedRevision: ANY })).nextExpectedRevision).toBe(0n);
    expect((await client.appendToStream(stream, events(2), { expectedRevision: ANY })).nextExpectedRevision).toBe(2n);
  });

  it('idempotent re-append of the same event ids at the same expected revision writes nothing and answers the same', async () => {
    const stream = uniqueStream('incident');
    await client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM });
    const batch = events(2);
    const first = await client.appendToStream(stream, batch, { expectedRevision: 0n });
    const again = await client.appendToStream(stream, batch, { expectedRevision: 0n });
    expect(again).toEqual(first);
    const read = await readAllOf(client.readStream(stream));
    expect(read.map((e) => e.event!.id)).toHaveLength(3);
  });

  it('idempotent re-append with no_stream and with any', async () => {
    const stream = uniqueStream('incident');
    const batch = events(2);
    const first = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM })).toEqual(first);
    expect(await client.appendToStream(stream, batch, { expectedRevision: ANY })).toEqual(first);
    expect((await readAllOf(client.readStream(stream))).length).toBe(2);
  });

  it('partial overlap with what is at the expected position is a wrong expected version', async () => {
    const stream = uniqueStream('incident');
    const [a, b] = events(2);
    await client.appendToStream(stream, [a, b], { expectedRevision: NO_STREAM });
    const err = await expectRejection(client.appendToStream(stream, [a, jsonEvent({ type: 'Other', data: {} })], { expectedRevision: NO_STREAM }));
    expect(err).toBeInstanceOf(WrongExpectedVersionError);
    expect(err).toMatchObject({ actualVersion: 1n });
    // with `any`, the first id decides: known first id + unknown second id is corrupted idempotency
    const errAny = await expectRejection(client.appendToStream(stream, [a, jsonEvent({ type: 'Other', data: {} })], { expectedRevision: ANY }));
    expect(errAny).toBeInstanceOf(WrongExpectedVersionError);
    expect((await readAllOf(client.readStream(stream))).length).toBe(2);
  });

  it('keeps type, content type, custom metadata and stamps created in .NET ticks', async () => {
    const stream = uniqueStream('incident');
    const before = Date.now();
    const id = randomUUID().toUpperCase();
    await client.appendToStream(stream, [
      jsonEvent({ id, type: 'ClaimMade.v1', data: { words: 'x' }, metadata: { $correlationId: 'c-1', $causationId: 'k-1' } }),
      binaryEvent({ type: 'Blob', data: Uint8Array.from([1, 2, 3]), metadata: Uint8Array.from([9, 8]) }),
    ]);
    const after = Date.now();
    const [json, blob] = (await readAllOf(client.readStream(stream))).map((e) => e.event!);
    expect(json.id).toBe(id.toLowerCase()); // the server returns Guid.ToString(): lower case
    expect(json.type).toBe('ClaimMade.v1');
    expect(json.isJson).toBe(true);
    expect(json.data).toEqual({ words: 'x' });
    expect(json.metadata).toEqual({ $correlationId: 'c-1', $causationId: 'k-1' });
    expect(json.created.getTime()).toBeGreaterThanOrEqual(before);
    expect(json.created.getTime()).toBeLessThanOrEqual(after);
    expect(blob.isJson).toBe(false);
    expect(Buffer.from(blob.data as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(Buffer.from(blob.metadata as Uint8Array)).toEqual(Buffer.from([9, 8]));
  });

  it('gives every event its own increasing, sparse log position (commit == prepare); the append reports the last one', async () => {
    const stream = uniqueStream('incident');
    const result = await client.appendToStream(stream, events(3));
    const read = (await readAllOf(client.readStream(stream))).map((e) => e.event!);
    const positions = read.map((e) => e.position!.commit);
    expect(read.every((e) => e.position!.commit === e.position!.prepare)).toBe(true);
    expect(positions[1] - positions[0]).toBeGreaterThan(1n);
    expect(positions[2] - positions[1]).toBeGreaterThan(1n);
    expect(result.position!.commit).toBe(positions[2]);
    const next = await client.appendToStream(stream, events(1));
    expect(next.position!.commit).toBeGreaterThan(result.position!.commit);
  });

  it('a tombstoned stream refuses appends and reads with StreamDeletedError', async () => {
    const stream = uniqueStream('incident');
    await client.appendToStream(stream, events(1));
    await client.tombstoneStream(stream);
    const err = await expectRejection(client.appendToStream(stream, events(1)));
    expect(err).toBeInstanceOf(StreamDeletedError);
    const readErr = await expectRejection(readAllOf(client.readStream(stream, { direction: BACKWARDS, fromRevision: END })));
    expect(readErr).toBeInstanceOf(StreamDeletedError);
  });

  it('rejects an append over the maximum append size (1 MiB by default) and writes none of it', async () => {
    const stream = uniqueStream('big');
    const err = await expectRejection(client.appendToStream(stream, [jsonEvent({ type: 'Small', data: {} }), jsonEvent({ type: 'Big', data: { s: 'x'.repeat(1024 * 1024) } })]));
    expect(err).toBeInstanceOf(MaxAppendSizeExceededError);
    expect(err).toMatchObject({ maxAppendSize: 1024 * 1024 });
    expect(await target.streamEvents(stream)).toEqual([]);
  });

  // What EventStoreDB answers when a write is NotHandled / denied / timed out, per path
  // (RpcExceptions.cs for Append, Streams.BatchAppend.cs ConvertMessage + Status.cs for BatchAppend), as the client maps it.
  const faultErrors: Record<'batchAppend' | 'append', Array<[EsdbFault, new (...args: never[]) => Error]>> = {
    batchAppend: [
      ['not-leader', NotLeaderError],
      ['server-not-ready', UnknownError], // Status without a known detail type: "Could not recognize Server Is Not Ready"
      ['access-denied', AccessDeniedError],
      ['timeout', DeadlineExceededError],
    ],
    append: [
      ['not-leader', NotLeaderError],
      ['server-not-ready', UnavailableError],
      ['access-denied', AccessDeniedError],
      ['timeout', TimeoutError],
    ],
  };
  describeOnDouble('injected write faults', 'injectFault is part of the double', () => it.each(faultErrors[path])('an injected %s write fault surfaces as %p and writes nothing', async (fault, errorClass) => {
    const double = doubleOf(target);
    const stream = uniqueStream('incident');
    double.injectFault('append', fault);
    const count = double.appendedCount;
    const err = await expectRejection(client.appendToStream(stream, events(1)));
    expect(err).toBeInstanceOf(errorClass);
    if (fault === 'not-leader') expect(err).toMatchObject({ leader: { address: '127.0.0.1', port: double.port } });
    expect(double.appendedCount).toBe(count);
    // the next call goes through (after reconnecting, for not-leader)
    expect((await client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM })).nextExpectedRevision).toBe(0n);
  }));
}
