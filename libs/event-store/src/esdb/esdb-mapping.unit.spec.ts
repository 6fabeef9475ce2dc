import { randomUUID } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  StreamDeletedError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventMetadata, NewEvent, StoreRefusedError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.port';
import {
  assertExpectedRevision,
  DEFAULT_LEDGER_STREAM_PREFIXES,
  EsdbTimeoutError,
  fromEsdbCurrentRevision,
  fromEsdbMetadata,
  hasDuplicateIds,
  isBeyondBound,
  isLedgerRecord,
  isTransientConnectionError,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbMetadata,
  toEsdbReadPosition,
  toPortError,
  toPortPosition,
  toRecordedEvent,
  validateBatch,
  validatePrefixes,
} from './esdb-mapping';
import { idempotentReplayResult, revisionMatches } from '../store-rules';

function metadata(extra: Partial<EventMetadata> = {}): EventMetadata {
  return {
    recordedAt: '2016-04-02T06:00:00.000Z',
    recordedBy: 'analyst@ledger',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    ...extra,
  };
}

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return { eventId: randomUUID(), type: 'ClaimMade.v1', data: { says: 'shelling' }, metadata: metadata(), ...overrides };
}

/** A gRPC status error as @grpc/grpc-js raises it, optionally with EventStoreDB's `exception` trailer. */
function serviceError(code: status, details: string, trailers: Record<string, string> = {}): Error {
  const meta = new Metadata();
  for (const [key, value] of Object.entries(trailers)) meta.set(key, value);
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: meta });
}

describe('expected revision', () => {
  it.each([
    ['any', 'any'],
    ['no_stream', 'no_stream'],
    ['stream_exists', 'stream_exists'],
    [0n, 0n],
    [41n, 41n],
  ] as const)('maps %p to the client value %p', (port, esdb) => {
    expect(toEsdbExpectedRevision(port)).toBe(esdb);
  });

  it.each([-1n, 'latest', 3, null])('refuses %p', (value) => {
    expect(() => assertExpectedRevision(value)).toThrow(RangeError);
  });

  it("reads EventStoreDB's current revision back, 'no_stream' (and the client's -1) as no revision", () => {
    expect(fromEsdbCurrentRevision('no_stream')).toBeUndefined();
    expect(fromEsdbCurrentRevision(-1n)).toBeUndefined();
    expect(fromEsdbCurrentRevision(0n)).toBe(0n);
    expect(fromEsdbCurrentRevision(7n)).toBe(7n);
  });

  it('matches revisions as the port defines', () => {
    expect(revisionMatches('any', undefined)).toBe(true);
    expect(revisionMatches('no_stream', undefined)).toBe(true);
    expect(revisionMatches('no_stream', 0n)).toBe(false);
    expect(revisionMatches('stream_exists', undefined)).toBe(false);
    expect(revisionMatches('stream_exists', 3n)).toBe(true);
    expect(revisionMatches(2n, 2n)).toBe(true);
    expect(revisionMatches(2n, 1n)).toBe(false);
    expect(revisionMatches(0n, undefined)).toBe(false);
  });
});

describe('idempotent replay', () => {
  const at = (revision: bigint) => ({ revision, position: 1000n + revision * 100n });

  it('returns the original result for a stored batch replayed with any, stream_exists or its original revision', () => {
    const stored = [at(1n), at(2n)];
    for (const expected of ['any', 'stream_exists', 0n] as const) {
      expect(idempotentReplayResult(stored, expected)).toEqual({ nextExpectedRevision: 2n, position: 1200n });
    }
    expect(idempotentReplayResult([at(0n)], 'no_stream')).toEqual({ nextExpectedRevision: 0n, position: 1000n });
  });

  it('is no replay when an id is new, the run is out of order or gapped, or the revision differs', () => {
    expect(idempotentReplayResult([at(1n), undefined], 'any')).toBeUndefined();
    expect(idempotentReplayResult([at(2n), at(1n)], 'any')).toBeUndefined();
    expect(idempotentReplayResult([at(0n), at(2n)], 'any')).toBeUndefined();
    expect(idempotentReplayResult([at(1n), at(2n)], 1n)).toBeUndefined();
    expect(idempotentReplayResult([at(1n), at(2n)], 'no_stream')).toBeUndefined();
    expect(idempotentReplayResult([], 'any')).toBeUndefined();
  });
});

describe('metadata', () => {
  it('writes correlation and causation ids as $correlationId / $causationId and keeps every other key', () => {
    const source = metadata({ idempotencyKey: 'key-1', requestHash: 'sha256:00', extra: { tags: ['mfa'] } });

    const written = toEsdbMetadata(source);

    expect(written).toStrictEqual({
      recordedAt: source.recordedAt,
      recordedBy: source.recordedBy,
      idempotencyKey: 'key-1',
      requestHash: 'sha256:00',
      extra: { tags: ['mfa'] },
      $correlationId: source.correlationId,
      $causationId: source.causationId,
    });
  });

  it('reads back exactly what was written, through JSON as the server stores it', () => {
    const source = metadata({ idempotencyKey: 'key-Ω', nested: { a: [1, null, { b: 'c' }] }, empty: {} });

    const read = fromEsdbMetadata(JSON.parse(JSON.stringify(toEsdbMetadata(source))));

    expect(read).toStrictEqual(source);
  });

  it('adds no correlation or causation id that was not there', () => {
    const { correlationId: _c, causationId: _k, ...partial } = metadata();
    const read = fromEsdbMetadata(toEsdbMetadata(partial as EventMetadata));
    expect(read).toStrictEqual(partial);
    expect('correlationId' in read).toBe(false);
  });

  it('refuses other $ keys, which EventStoreDB reserves, and metadata that is not an object', () => {
    expect(() => toEsdbMetadata({ ...metadata(), $maxAge: 10 })).toThrow(TypeError);
    expect(() => toEsdbMetadata(null as unknown as EventMetadata)).toThrow(TypeError);
  });

  it("reads another writer's non-object metadata as an empty object", () => {
    expect(fromEsdbMetadata(undefined)).toEqual({});
    expect(fromEsdbMetadata(new Uint8Array([1, 2]))).toEqual({});
    expect(fromEsdbMetadata([1, 2])).toEqual({});
  });
});

describe('events', () => {
  it('keeps the event id and type and sends data and metadata as JSON', () => {
    const event = newEvent();
    expect(toEsdbEvent('incident-1', event)).toEqual({
      id: event.eventId,
      type: 'ClaimMade.v1',
      contentType: 'application/json',
      data: { says: 'shelling' },
      metadata: toEsdbMetadata(event.metadata),
    });
  });

  it('stores undefined data as null and refuses data that JSON cannot carry, before anything is sent', () => {
    expect(toEsdbEvent('s', newEvent({ data: undefined })).data).toBeNull();
    expect(() => toEsdbEvent('s', newEvent({ data: { n: 1n } }))).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toEsdbEvent('s', newEvent({ data: cyclic }))).toThrow(TypeError);
  });

  it('validates a batch: events present, lower-case uuid ids, no $ types, no $ streams', () => {
    expect(() => validateBatch('incident-1', [newEvent()])).not.toThrow();
    expect(() => validateBatch('incident-1', [])).toThrow(RangeError);
    expect(() => validateBatch('incident-1', [newEvent({ eventId: 'not-a-uuid' })])).toThrow(TypeError);
    expect(() => validateBatch('incident-1', [newEvent({ eventId: randomUUID().toUpperCase() })])).toThrow(TypeError);
    expect(() => validateBatch('incident-1', [newEvent({ type: '$metadata' })])).toThrow(TypeError);
    expect(() => validateBatch('incident-1', [newEvent({ type: '' })])).toThrow(TypeError);
    expect(() => validateBatch('$all', [newEvent()])).toThrow(TypeError);
  });

  it('detects an id repeated inside one batch', () => {
    const event = newEvent();
    expect(hasDuplicateIds([event, newEvent()])).toBe(false);
    expect(hasDuplicateIds([event, newEvent(), event])).toBe(true);
  });

  it('maps a recorded event to the port, position = commit position, metadata back in the port shape', () => {
    const source = metadata();
    const recorded = toRecordedEvent({
      id: 'c4d8c1b6-7c57-4d6d-9d63-3b1c1b6c0a11',
      type: 'ClaimMade.v1',
      streamId: 'incident-42',
      revision: 3n,
      data: { says: 'x' },
      metadata: toEsdbMetadata(source),
      position: { commit: 18_446n, prepare: 18_446n },
    });

    expect(recorded).toStrictEqual({
      eventId: 'c4d8c1b6-7c57-4d6d-9d63-3b1c1b6c0a11',
      type: 'ClaimMade.v1',
      streamName: 'incident-42',
      revision: 3n,
      position: 18_446n,
      data: { says: 'x' },
      metadata: source,
    });
  });
});

describe('positions', () => {
  it('uses the commit position, which equals the prepare position for events written through gRPC', () => {
    expect(toPortPosition({ commit: 1234n, prepare: 1234n }, 'e')).toBe(1234n);
  });

  it('refuses an event without a position or with commit != prepare (legacy TCP transaction) instead of guessing', () => {
    expect(() => toPortPosition(undefined, 'e')).toThrow(StoreUnavailableError);
    expect(() => toPortPosition({ commit: 2000n, prepare: 1800n }, 'e')).toThrow(StoreUnavailableError);
  });

  it('starts reads at EventStoreDB START for position 0 and at the exact commit/prepare pair otherwise', () => {
    expect(toEsdbReadPosition(0n)).toBe('start');
    expect(toEsdbReadPosition(512n)).toEqual({ commit: 512n, prepare: 512n });
  });

  it("makes EventStoreDB's inclusive fromPosition exclusive: the event at exactly the bound is dropped both ways", () => {
    const bound = { commit: 500n, prepare: 500n };
    const at = (p: bigint) => ({ commit: p, prepare: p });

    expect(isBeyondBound(at(500n), bound, 'forwards')).toBe(false);
    expect(isBeyondBound(at(499n), bound, 'forwards')).toBe(false);
    expect(isBeyondBound(at(501n), bound, 'forwards')).toBe(true);
    expect(isBeyondBound(at(500n), bound, 'backwards')).toBe(false);
    expect(isBeyondBound(at(501n), bound, 'backwards')).toBe(false);
    expect(isBeyondBound(at(499n), bound, 'backwards')).toBe(true);
    expect(isBeyondBound(at(0n), undefined, 'forwards')).toBe(true);
  });
});

describe('which events are the ledger’s', () => {
  it('keeps the ledger categories by default and skips system events, system streams and foreign streams', () => {
    const prefixes = DEFAULT_LEDGER_STREAM_PREFIXES;
    expect(prefixes).toEqual(['incident-', 'party-']);
    expect(isLedgerRecord({ streamId: 'incident-1f0e', type: 'ClaimMade.v1' }, prefixes)).toBe(true);
    expect(isLedgerRecord({ streamId: 'party-osce-minsk-group', type: 'PartyRegistered.v1' }, prefixes)).toBe(true);
    expect(isLedgerRecord({ streamId: 'incident-1f0e', type: '$>' }, prefixes)).toBe(false);
    expect(isLedgerRecord({ streamId: '$ce-incident', type: '$>' }, prefixes)).toBe(false);
    expect(isLedgerRecord({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }, prefixes)).toBe(false);
    expect(isLedgerRecord({ streamId: 'orders-1', type: 'OrderPlaced' }, prefixes)).toBe(false);
    expect(isLedgerRecord({ streamId: 'incidents-report', type: 'X' }, prefixes)).toBe(false);
  });

  it('takes configured prefixes and refuses empty ones or ones that would select system streams', () => {
    expect(isLedgerRecord({ streamId: 'contractany-1', type: 'T' }, validatePrefixes(['contract']))).toBe(true);
    expect(() => validatePrefixes([])).toThrow(RangeError);
    expect(() => validatePrefixes([''])).toThrow(RangeError);
    expect(() => validatePrefixes(['$ce-'])).toThrow(RangeError);
  });
});

describe('errors', () => {
  const append = { streamName: 'incident-7', expected: 4n as const };

  it('maps WrongExpectedVersion to WrongExpectedRevisionError with the current revision', () => {
    const error = toPortError(
      'append',
      new WrongExpectedVersionError(undefined, { streamName: 'incident-7', expected: 4n, current: 2n }),
      append,
    );

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: 'incident-7', expected: 4n, actual: 2n });
  });

  it('reports no actual revision when the stream does not exist', () => {
    const error = toPortError(
      'append',
      new WrongExpectedVersionError(undefined, { streamName: 'incident-7', expected: 'stream_exists', current: 'no_stream' }),
      { streamName: 'incident-7', expected: 'stream_exists' },
    );

    expect(error).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 'stream_exists', actual: undefined });
  });

  it('maps the wrong-expected-version trailer of a legacy append error too', () => {
    const raw = serviceError(status.UNKNOWN, 'wrong version', {
      exception: 'wrong-expected-version',
      'stream-name': 'incident-7',
      'expected-version': '4',
      'actual-version': '9',
    });

    expect(toPortError('append', raw, append)).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 9n });
  });

  it.each([
    ['UnavailableError', new UnavailableError()],
    ['CancelledError (server cancelled a stream)', new CancelledError()],
    ['DeadlineExceededError', new DeadlineExceededError()],
    ['raw UNAVAILABLE', serviceError(status.UNAVAILABLE, 'No connection established')],
    ['raw CANCELLED from the server', serviceError(status.CANCELLED, 'Cancelled')],
    [
      'NOT_LEADER',
      serviceError(status.NOT_FOUND, 'Leader info available', {
        exception: 'not-leader',
        'leader-endpoint-host': '127.0.0.1',
        'leader-endpoint-port': '2114',
      }),
    ],
    ['INTERNAL with a reset stream', serviceError(status.INTERNAL, 'Received RST_STREAM with code 2')],
    ['UnknownError saying the connection dropped', new UnknownError(undefined, 'Connection dropped')],
    ['gossip discovery failing', new Error('Failed to discover after 10 attempts.')],
    ['a node not ready yet (batch append answer)', new UnknownError(undefined, 'Could not recognize Server Is Not Ready')],
    ['the adapter’s own timeout', new EsdbTimeoutError('read', 10)],
  ])('classifies %s as a transient connection loss and maps it to StoreUnavailableError', (_label, error) => {
    expect(isTransientConnectionError(error)).toBe(true);
    const mapped = toPortError('read $all', error);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toMatch(/EventStoreDB/);
  });

  it.each([
    ['AccessDeniedError', new AccessDeniedError(), 'access-denied'],
    ['raw PERMISSION_DENIED with the access-denied trailer', serviceError(status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' }), 'access-denied'],
    ['StreamDeletedError', StreamDeletedError.fromStreamName('incident-7'), 'stream-deleted'],
    [
      'MAXIMUM_APPEND_SIZE_EXCEEDED',
      serviceError(status.INVALID_ARGUMENT, 'Maximum Append Size of 1048576 Exceeded.', {
        exception: 'maximum-append-size-exceeded',
        'maximum-append-size': '1048576',
      }),
      'too-large',
    ],
    ['INVALID_ARGUMENT reading $all from inside a record', serviceError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.'), 'invalid-position'],
  ])('maps %s to StoreRefusedError (%s): retrying cannot help', (_label, error, reason) => {
    expect(isTransientConnectionError(error)).toBe(false);
    const mapped = toPortError('read $all', error);
    expect(mapped).toBeInstanceOf(StoreRefusedError);
    expect(mapped).toMatchObject({ reason, cause: expect.anything() });
    expect(toPortError('again', mapped)).toBe(mapped);
  });

  it.each([
    ['UnknownError', new UnknownError(undefined, 'Could not recognize it')],
    ['INVALID_ARGUMENT about something else', serviceError(status.INVALID_ARGUMENT, 'Invalid ExpectedStreamRevisionOneofCase')],
    ['a plain error', new Error('boom')],
  ])('classifies %s as not transient, still StoreUnavailableError for the caller', (_label, error) => {
    expect(isTransientConnectionError(error)).toBe(false);
    const mapped = toPortError('read $all', error) as StoreUnavailableError;
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.cause).toBeDefined();
  });

  it('does not treat a client-side cancellation as a loss: the adapter cancels its own calls', () => {
    expect(isTransientConnectionError(serviceError(status.CANCELLED, 'Cancelled on client'))).toBe(false);
  });

  it('passes the port’s own errors through', () => {
    const conflict = new WrongExpectedRevisionError('s', 'any', 1n);
    const unavailable = new StoreUnavailableError('down');
    expect(toPortError('x', conflict)).toBe(conflict);
    expect(toPortError('x', unavailable)).toBe(unavailable);
  });
});
