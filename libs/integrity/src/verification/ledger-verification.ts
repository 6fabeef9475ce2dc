import type { KeyObject } from 'node:crypto';
import { eventHash, storedHashOf } from '../event-hash';
import { isLedgerStreamName } from '@ledger/domain';
import { CHECKPOINT_SIGNED_TYPE, CHECKPOINT_STREAM } from '../integrity-streams';
import { leafHash, MerkleLog } from '../merkle/merkle-tree';
import { MemoryScratch, PositionColumn, ScratchSpace } from '../scratch/scratch-space';
import { SeenEvents } from './seen-events';
import { isSignedCheckpoint, SignedCheckpoint, verifyCheckpointSignature } from '../signing/checkpoint';

/** What the verifier needs of a stored event; the port's RecordedEvent has this shape. */
export interface VerifiableEvent {
  eventId: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** A stored event the store could not parse; reported, then the walk goes on past it. */
export interface UnreadableEvent {
  unreadable: true;
  eventId: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  detail: string;
}

export type FindingKind =
  | 'unreadable-event'
  | 'missing-hash'
  | 'hash-mismatch'
  | 'chain-break'
  | 'revision-gap'
  | 'revision-out-of-order'
  | 'malformed-checkpoint'
  | 'unknown-signing-key'
  | 'bad-signature'
  | 'log-truncated'
  | 'root-mismatch'
  | 'position-mismatch'
  | 'stream-head-mismatch'
  | 'checkpoint-regression';

export interface Finding {
  kind: FindingKind;
  message: string;
  streamName?: string;
  revision?: string;
  position?: string;
  eventId?: string;
  /** The checkpoint the finding is about: its place in the checkpoint stream and the tree size it signs. */
  checkpoint?: { revision: string; treeSize?: number };
}

export interface VerificationReport {
  ok: boolean;
  events: number;
  streams: number;
  /** Events of ledger streams: the Merkle tree's leaves. */
  leaves: number;
  checkpoints: number;
  latestCheckpoint?: { treeSize: number; rootHash: string; lastPosition: string; timestamp: string; keyId: string };
  /** Ledger events after the latest checkpoint: chained, but not yet under a signature (tail truncation is undetectable there). */
  unnotarizedLeaves: number;
  /** The failure the auditor should look at first: the earliest in log order. */
  firstFailure?: Finding;
  findings: Finding[];
}

interface StreamState {
  /** Its number in SeenEvents. */
  number: number;
  lastRevision: bigint;
  /** Revisions reported missing so far: if one turns up later in the log, the gap was a reordering. */
  gaps: { from: bigint; to: bigint; finding: Finding }[];
  /** The event of this stream seen last: in a sound log, the one the next event links to. */
  latest?: { revision: bigint; hash: string | undefined };
}

interface CheckpointRecord {
  revision: bigint;
  position: bigint;
  data: unknown;
}

/**
 * Walks the whole log once: every stream's chain (each event's own hash recomputed, its link to the one before,
 * contiguous revisions), then every checkpoint (signature by a known key, the Merkle root recomputed over the
 * leaves it covers, its position and stream heads). Fed in global order; streams the global read does not deliver
 * (EventStoreDB's filtered $all) are fed afterwards, each in revision order.
 */
export class LedgerVerification {
  private readonly streams = new Map<string, StreamState>();
  /** What grows with the log (the tree, each leaf's position, each event's hash) lives in the scratch space. */
  private readonly tree: MerkleLog;
  private readonly leafPositions: PositionColumn;
  private readonly seen: SeenEvents;
  /** Index of the first leaf that could not be read (no hash): every root covering it fails. */
  private firstUnreadableLeaf = Number.POSITIVE_INFINITY;
  /**
   * Checkpoints read but not yet checked: one is checked as soon as the walk has read every event it covers and every
   * stream head it records (in a log the ledger wrote, when it is read, since the notary signs what it has read), and
   * those after one that waits wait too, so that each is checked against the same previous checkpoint as at the end.
   */
  private readonly waiting: CheckpointRecord[] = [];
  private checkpointCount = 0;
  private latest: SignedCheckpoint | undefined;
  private previousGood: SignedCheckpoint | undefined;
  private readonly findings: Finding[] = [];
  private events = 0;

  constructor(
    private readonly publicKeys: ReadonlyMap<string, KeyObject>,
    scratch: ScratchSpace = new MemoryScratch(),
  ) {
    this.tree = new MerkleLog([], scratch);
    this.leafPositions = new PositionColumn(scratch);
    this.seen = new SeenEvents(scratch);
  }

  get eventsSeen(): number {
    return this.events;
  }

  hasSeenStream(streamName: string): boolean {
    return this.streams.has(streamName);
  }

  add(event: VerifiableEvent | UnreadableEvent): void {
    this.events += 1;
    const state = this.streamState(event.streamName);
    this.checkRevision(state, event);
    state.lastRevision = event.revision > state.lastRevision ? event.revision : state.lastRevision;

    if ('unreadable' in event) {
      this.fail('unreadable-event', event, `cannot be read: ${event.detail}`);
      this.see(state, event.revision, undefined);
      if (isLedgerStreamName(event.streamName)) this.pushLeaf(undefined, event.position);
      return;
    }

    const stored = storedHashOf(event.metadata);
    const recomputed = eventHash(event);
    if (!stored) {
      this.fail('missing-hash', event, 'carries no hash in its metadata: it was not written through the ledger');
    } else if (stored !== recomputed) {
      this.fail('hash-mismatch', event, `its content no longer matches its hash (stored ${short(stored)}, recomputed ${short(recomputed)}): it was changed after it was written`);
    } else {
      const prevHash = event.metadata.prevHash ?? null;
      // Compared with the event one revision before (when it was seen and hashed), wherever it sits in the log.
      const expected = event.revision === 0n ? null : this.seenAt(state, event.revision - 1n)?.hash;
      if (expected !== undefined && prevHash !== expected) {
        this.fail(
          'chain-break',
          event,
          event.revision === 0n
            ? 'is the first event of its stream but links to a previous one'
            : `links to ${short(String(prevHash))}, but the event before it in the stream hashes to ${short(String(expected))}`,
        );
      }
    }
    this.see(state, event.revision, stored);
    if (isLedgerStreamName(event.streamName)) this.pushLeaf(stored ?? recomputed, event.position);
    if (event.streamName === CHECKPOINT_STREAM) this.readCheckpoint({ revision: event.revision, position: event.position, data: event.data });
    else if (event.type === CHECKPOINT_SIGNED_TYPE) this.fail('malformed-checkpoint', event, `is a checkpoint outside ${CHECKPOINT_STREAM}`);
  }

  finish(): VerificationReport {
    for (const record of this.waiting.splice(0)) this.takeCheckpoint(record);
    const latest = this.latest;
    const findings = [...this.findings].sort(byLogOrder);
    return {
      ok: findings.length === 0,
      events: this.events,
      streams: this.streams.size,
      leaves: this.tree.size,
      checkpoints: this.checkpointCount,
      latestCheckpoint: latest && {
        treeSize: latest.treeSize,
        rootHash: latest.rootHash,
        lastPosition: latest.lastPosition,
        timestamp: latest.timestamp,
        keyId: latest.keyId,
      },
      unnotarizedLeaves: Math.max(0, this.tree.size - (latest?.treeSize ?? 0)),
      firstFailure: findings[0],
      findings,
    };
  }

  private checkRevision(state: StreamState, event: VerifiableEvent | UnreadableEvent): void {
    const expected = state.lastRevision + 1n;
    if (event.revision === expected) return;
    if (event.revision > expected) {
      const missing = event.revision - expected === 1n ? `revision ${expected} is` : `revisions ${expected}..${event.revision - 1n} are`;
      const finding = this.fail('revision-gap', event, `follows revision ${state.lastRevision} of its stream: ${missing} missing (deleted)`);
      state.gaps.push({ from: expected, to: event.revision - 1n, finding });
    } else {
      this.fail('revision-out-of-order', event, `comes after revision ${state.lastRevision} of its stream in the log: events were reordered`);
      const gap = state.gaps.find((candidate) => candidate.from <= event.revision && event.revision <= candidate.to);
      if (gap && gap.finding.kind === 'revision-gap') {
        gap.finding.kind = 'revision-out-of-order';
        gap.finding.message = `Event ${gap.finding.streamName}@${gap.finding.revision} (position ${gap.finding.position}) comes before revision ${event.revision} of its stream in the log: events were reordered`;
      }
    }
  }

  /**
   * A checkpoint as the walk reads it: checked now when nothing it covers is still to be read, else kept for the end.
   * Checked at the end, a year of checkpoints held their stream heads in memory for the whole walk and then took one
   * long piece of work (an API's verify answers nothing else meanwhile).
   */
  private readCheckpoint(record: CheckpointRecord): void {
    this.checkpointCount++;
    if (this.waiting.length > 0 || !this.coveredSoFar(record.data)) this.waiting.push(record);
    else this.takeCheckpoint(record);
  }

  private coveredSoFar(data: unknown): boolean {
    if (!isSignedCheckpoint(data)) return true;
    if (data.treeSize > this.tree.size) return false;
    return data.streamHeads.every((head) => {
      const state = this.streams.get(head.stream);
      return state !== undefined && /^\d+$/.test(head.revision) && this.seenAt(state, BigInt(head.revision)) !== undefined;
    });
  }

  private takeCheckpoint(record: CheckpointRecord): void {
    const checkpoint = this.checkCheckpoint(record, this.previousGood);
    if (checkpoint) this.latest = this.previousGood = checkpoint;
  }

  /** Returns the checkpoint when it can be trusted as a reference for the ones after it. */
  private checkCheckpoint(record: CheckpointRecord, previous: SignedCheckpoint | undefined): SignedCheckpoint | undefined {
    const at = { streamName: CHECKPOINT_STREAM, revision: record.revision.toString(), position: record.position.toString() };
    const ref = (treeSize?: number) => ({ revision: record.revision.toString(), treeSize });
    const data = record.data;
    if (!isSignedCheckpoint(data)) {
      this.push({ kind: 'malformed-checkpoint', ...at, checkpoint: ref(), message: `Checkpoint ${record.revision} is not a signed checkpoint` });
      return undefined;
    }
    const cp = ref(data.treeSize);
    const name = `Checkpoint ${record.revision} (tree size ${data.treeSize}, ${data.timestamp})`;
    const key = this.publicKeys.get(data.keyId);
    if (!key) {
      this.push({ kind: 'unknown-signing-key', ...at, checkpoint: cp, message: `${name} is signed by key ${short(data.keyId)}, which is not one of the ledger's published keys` });
      return undefined;
    }
    if (!verifyCheckpointSignature(data, key)) {
      this.push({ kind: 'bad-signature', ...at, checkpoint: cp, message: `${name}: the signature does not match its content: it was altered or replaced` });
      return undefined;
    }
    let trusted = true;
    if (previous && (data.treeSize < previous.treeSize || data.timestamp < previous.timestamp)) {
      this.push({ kind: 'checkpoint-regression', ...at, checkpoint: cp, message: `${name} goes back from the checkpoint before it (tree size ${previous.treeSize}, ${previous.timestamp})` });
    }
    if (data.treeSize > this.tree.size) {
      this.push({
        kind: 'log-truncated',
        ...at,
        checkpoint: cp,
        message: `${name} signs ${data.treeSize} ledger events, but the log now holds only ${this.tree.size}: events were removed`,
      });
      trusted = false;
    } else {
      const root = data.treeSize > this.firstUnreadableLeaf ? undefined : this.tree.root(data.treeSize).toString('hex');
      if (root !== data.rootHash) {
        const since = previous ? ` between checkpoint tree sizes ${previous.treeSize} and ${data.treeSize}` : ` within its first ${data.treeSize} ledger events`;
        this.push({
          kind: 'root-mismatch',
          ...at,
          checkpoint: cp,
          message: `${name}: the ledger events it covers no longer hash to its signed Merkle root; something was changed, removed, inserted or reordered${since}`,
        });
        trusted = false;
      }
      const lastPosition = data.treeSize === 0 ? '0' : this.leafPositions.at(data.treeSize - 1).toString();
      if (lastPosition !== data.lastPosition) {
        this.push({ kind: 'position-mismatch', ...at, checkpoint: cp, message: `${name} ends at position ${data.lastPosition}, but its last ledger event is now at ${lastPosition}` });
      }
    }
    for (const head of data.streamHeads) this.checkStreamHead(head, name, at, cp);
    return trusted ? data : undefined;
  }

  private checkStreamHead(
    head: { stream: string; revision: string; hash: string },
    name: string,
    at: { streamName: string; revision: string; position: string },
    cp: { revision: string; treeSize?: number },
  ): void {
    const state = this.streams.get(head.stream);
    const seen = state && this.seenAt(state, BigInt(head.revision));
    if (!seen) {
      const now = state ? `ends at revision ${state.lastRevision}` : 'no longer exists';
      this.push({
        kind: 'stream-head-mismatch',
        ...at,
        checkpoint: cp,
        message: `${name} recorded ${head.stream} at revision ${head.revision}, but the stream ${now}: its last events were removed`,
      });
    } else if (seen.hash !== head.hash) {
      this.push({
        kind: 'stream-head-mismatch',
        ...at,
        checkpoint: cp,
        message: `${name} recorded ${head.stream}@${head.revision} with hash ${short(head.hash)}, the stream now has ${short(seen.hash ?? 'none')} there`,
      });
    }
  }

  private pushLeaf(hash: string | undefined, position: bigint): void {
    if (!hash) this.firstUnreadableLeaf = Math.min(this.firstUnreadableLeaf, this.tree.size);
    this.tree.append(leafHash(Buffer.from(hash ?? '', 'hex')));
    this.leafPositions.push(position);
  }

  private see(state: StreamState, revision: bigint, hash: string | undefined): void {
    this.seen.add(state.number, revision, hash);
    state.latest = { revision, hash };
  }

  private seenAt(state: StreamState, revision: bigint): { hash: string | undefined } | undefined {
    return state.latest?.revision === revision ? state.latest : this.seen.get(state.number, revision);
  }

  private streamState(streamName: string): StreamState {
    let state = this.streams.get(streamName);
    if (!state) {
      state = { number: this.streams.size, lastRevision: -1n, gaps: [], latest: undefined };
      this.streams.set(streamName, state);
    }
    return state;
  }

  private fail(kind: FindingKind, event: VerifiableEvent | UnreadableEvent, what: string): Finding {
    return this.push({
      kind,
      streamName: event.streamName,
      revision: event.revision.toString(),
      position: event.position.toString(),
      eventId: event.eventId,
      message: `Event ${event.streamName}@${event.revision} (position ${event.position}) ${what}`,
    });
  }

  private push(finding: Finding): Finding {
    this.findings.push(finding);
    return finding;
  }
}

const short = (hash: string): string => (hash.length > 16 ? `${hash.slice(0, 12)}…` : hash);

/** Event findings by position, then checkpoint findings (whose position is the checkpoint's own). */
const byLogOrder = (a: Finding, b: Finding): number => {
  const pa = a.position === undefined ? undefined : BigInt(a.position);
  const pb = b.position === undefined ? undefined : BigInt(b.position);
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  return pa < pb ? -1 : 1;
};
