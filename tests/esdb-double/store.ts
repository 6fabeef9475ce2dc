// The in-memory log behind the double: streams, the global log ($all) and the write rules.
// Every rule cites the EventStoreDB source it follows (EventStore/EventStore, release/v24.10 branch,
// commit 516d92816, which is tag v24.10.4 plus the 24.10 back-ports; "v24.10.0" where the file is unchanged).
import { randomUUID } from 'node:crypto';

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

export interface ProposedEvent {
  id: string; // canonical lower-case uuid
  type: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface RecordedEvent {
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as EpochExtensions.ToTicksSinceEpoch renders `created`. */
  created: bigint;
  /** Log position of the prepare record; commit == prepare for self-committed writes (ResolvedEvent.CalculatePosition). */
  position: bigint;
}

export type AppendOutcome =
  | { kind: 'success'; currentRevision: bigint; position: bigint; idempotent: boolean; written: RecordedEvent[] }
  | { kind: 'wrong_expected_version'; currentRevision: bigint }
  | { kind: 'stream_deleted' };

/** EventNumber.DeletedStream: the event number of a tombstone ($streamDeleted). */
export const TOMBSTONE_REVISION = 9223372036854775807n;
const NO_STREAM = -1n;

interface StreamState {
  events: RecordedEvent[];
  tombstoned: boolean;
}

/** Loosely the size of a LogV2 prepare record: fixed header + the variable parts. Only used to make positions sparse. */
function recordSize(stream: string, type: string, data: Uint8Array, metadata: Uint8Array): bigint {
  const header = 4 + 1 + 1 + 2 + 8 + 8 + 4 + 8 + 16 + 16 + 8 + 8 + 4 + 4 + 4; // length prefix .. suffix
  return BigInt(header + Buffer.byteLength(stream) + Buffer.byteLength(type) + data.length + metadata.length + 4);
}

function nowTicks(): bigint {
  // 1 ms = 10_000 ticks; add the sub-millisecond part of the high resolution clock so that consecutive
  // events rarely share a timestamp (EventStoreDB stamps DateTime.UtcNow, 100 ns resolution).
  const ms = BigInt(Date.now());
  const sub = process.hrtime.bigint() % 1_000_000n; // ns within the current ms (approximate)
  return ms * 10_000n + sub / 100n;
}

export class EventLog {
  /** Every event in log order; index == order in $all. */
  readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, StreamState>();
  /** Stands in for IndexWriter's committed-events cache (event id -> where it was committed). */
  private readonly byId = new Map<string, RecordedEvent[]>();
  /** Positions at which a record starts (events, empty-write records, the epoch record): valid read positions. */
  private readonly recordStarts = new Set<bigint>();
  private writer = 0n;
  private readonly listeners = new Set<() => void>();
  /** Events appended through the gRPC API (not seeded system events). */
  clientAppendedCount = 0;

  constructor() {
    // A chunk starts with the epoch system record (not an event, never in $all).
    this.writeRawRecord(recordSize('', '$epoch', new Uint8Array(64), new Uint8Array(0)));
  }

  get writerPosition(): bigint {
    return this.writer;
  }

  isRecordStart(position: bigint): boolean {
    return this.recordStarts.has(position);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastRevision(stream: string): bigint {
    const s = this.streams.get(stream);
    if (!s || s.events.length === 0) return NO_STREAM;
    if (s.tombstoned) return TOMBSTONE_REVISION;
    return s.events[s.events.length - 1].revision;
  }

  isTombstoned(stream: string): boolean {
    return this.streams.get(stream)?.tombstoned ?? false;
  }

  streamEvents(stream: string): RecordedEvent[] | undefined {
    const s = this.streams.get(stream);
    if (!s || s.events.length === 0) return undefined;
    return s.events;
  }

  private writeRawRecord(size: bigint): bigint {
    const at = this.writer;
    this.recordStarts.add(at);
    this.writer += size;
    return at;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /**
   * Writes events, following IndexWriter.CheckCommit (src/EventStore.Core/Services/Storage/ReaderIndex/IndexWriter.cs)
   * and StorageWriterService.ActOnCommitCheckFailure / RequestManagerBase.ReturnCommitAt for idempotent writes.
   */
  append(stream: string, expected: ExpectedRevision, events: ProposedEvent[], fromClient = true): AppendOutcome {
    const state = this.streams.get(stream);
    const exists = !!state && state.events.length > 0;
    if (state?.tombstoned) return { kind: 'stream_deleted' };
    const cur = this.lastRevision(stream);

    if (expected.kind === 'stream_exists' && cur < 0n) {
      // StreamExists: a stream that has only metadata ($$stream) counts as existing.
      if (this.lastRevision('$$' + stream) < 0n) return { kind: 'wrong_expected_version', currentRevision: cur };
    }

    if (exists && (expected.kind === 'any' || expected.kind === 'stream_exists')) {
      // Best-effort idempotency by event id (the committed-events cache): the first id decides.
      let first = true;
      let last: RecordedEvent | undefined;
      for (const e of events) {
        const hit = this.byId.get(e.id)?.find((r) => r.stream === stream);
        if (!hit) {
          if (first) {
            last = undefined;
            break; // CommitDecision.Ok: write them all
          }
          return { kind: 'wrong_expected_version', currentRevision: cur }; // CorruptedIdempotency
        }
        first = false;
        last = hit;
      }
      if (last) {
        return { kind: 'success', currentRevision: last.revision, position: last.position, idempotent: true, written: [] };
      }
    }

    const expectedNumber = expected.kind === 'no_stream' ? NO_STREAM : expected.kind === 'revision' ? expected.revision : undefined;
    if (expectedNumber !== undefined) {
      if (expectedNumber < cur) {
        // Replay check against what is already at expected+1, expected+2, ...
        let n = expectedNumber;
        for (const e of events) {
          n += 1n;
          const at = n >= 0n && state ? state.events[Number(n)] : undefined;
          if (at && at.id === e.id) continue;
          // First event differs: WrongExpectedVersion. A later one differs (partial overlap):
          // CorruptedIdempotency, which StorageWriterService also answers as WrongExpectedVersion.
          return { kind: 'wrong_expected_version', currentRevision: cur };
        }
        if (n === expectedNumber) return { kind: 'wrong_expected_version', currentRevision: cur }; // no data
        const lastMatched = state!.events[Number(n)];
        return { kind: 'success', currentRevision: lastMatched.revision, position: lastMatched.position, idempotent: true, written: [] };
      }
      if (expectedNumber > cur) return { kind: 'wrong_expected_version', currentRevision: cur };
    }

    // CommitDecision.Ok
    if (events.length === 0) {
      // An empty write still writes an (empty) prepare record and commits at its position
      // (StorageWriterService.WriteEvents, the `else` branch); the response carries the current revision.
      const at = this.writeRawRecord(recordSize(stream, '', new Uint8Array(0), new Uint8Array(0)));
      return { kind: 'success', currentRevision: cur, position: at, idempotent: false, written: [] };
    }

    const target = state ?? { events: [], tombstoned: false };
    if (!state) this.streams.set(stream, target);
    const created = nowTicks();
    const written: RecordedEvent[] = [];
    let revision = cur;
    for (const e of events) {
      revision += 1n;
      const position = this.writeRawRecord(recordSize(stream, e.type, e.data, e.metadata));
      const rec: RecordedEvent = {
        stream,
        revision,
        id: e.id,
        type: e.type,
        isJson: e.isJson,
        data: e.data,
        metadata: e.metadata,
        created,
        position,
      };
      target.events.push(rec);
      this.all.push(rec);
      const list = this.byId.get(e.id);
      if (list) list.push(rec);
      else this.byId.set(e.id, [rec]);
      written.push(rec);
    }
    if (fromClient) this.clientAppendedCount += written.length;
    this.notify();
    // CommitAck carries the log position of the last prepare (StorageChaser.ProcessPrepareRecord),
    // and WriteEventsCompleted reports it as both commit and prepare position.
    const last = written[written.length - 1];
    return { kind: 'success', currentRevision: last.revision, position: last.position, idempotent: false, written };
  }

  /** Hard delete: a `$streamDeleted` record with event number long.MaxValue; the stream can never be written again. */
  tombstone(stream: string, expected: ExpectedRevision): AppendOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'stream_deleted' };
    const cur = this.lastRevision(stream);
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && cur === NO_STREAM) ||
      (expected.kind === 'stream_exists' && cur >= 0n) ||
      (expected.kind === 'revision' && expected.revision === cur);
    if (!ok) return { kind: 'wrong_expected_version', currentRevision: cur };
    const target = state ?? { events: [], tombstoned: false };
    if (!state) this.streams.set(stream, target);
    const position = this.writeRawRecord(recordSize(stream, '$streamDeleted', new Uint8Array(0), new Uint8Array(0)));
    const rec: RecordedEvent = {
      stream,
      revision: TOMBSTONE_REVISION,
      id: randomUUID(),
      type: '$streamDeleted',
      isJson: false,
      data: new Uint8Array(0),
      metadata: new Uint8Array(0),
      created: nowTicks(),
      position,
    };
    target.events.push(rec);
    target.tombstoned = true;
    this.all.push(rec);
    this.notify();
    return { kind: 'success', currentRevision: TOMBSTONE_REVISION, position, idempotent: false, written: [rec] };
  }

  /** Index in `all` of the first event whose position is >= `position`. */
  indexAtOrAfter(position: bigint): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.all[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** EventFilter.DefaultAllFilterStrategy: what a read of $all never shows ($epoch-information and
 *  persistent-subscription-to-$all bookkeeping). Everything else, system events included, is visible. */
export function visibleInAll(e: RecordedEvent): boolean {
  if (!e.stream.startsWith('$')) return true;
  if (e.stream === '$epoch-information') return false;
  if (e.stream.startsWith('$persistentsubscription-$all::') && (e.stream.endsWith('-checkpoint') || e.stream.endsWith('-parked'))) return false;
  return true;
}

export interface EventFilterSpec {
  on: 'stream' | 'eventType';
  prefixes: string[];
  regex?: string;
}

/** EventFilter.StreamName/EventType Prefixes/Regex with isAllStream = true (src/.../ReaderIndex/EventFilter.cs). */
export function compileFilter(spec: EventFilterSpec): (e: RecordedEvent) => boolean {
  const pick = (e: RecordedEvent) => (spec.on === 'stream' ? e.stream : e.type);
  if (spec.regex) {
    // .NET Regex.Match semantics: unanchored search. JS RegExp is close enough for the usual patterns.
    const re = new RegExp(spec.regex);
    return (e) => visibleInAll(e) && re.test(pick(e));
  }
  const prefixes = spec.prefixes;
  return (e) => visibleInAll(e) && prefixes.some((p) => pick(e).startsWith(p));
}
