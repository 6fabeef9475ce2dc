import { EventStore } from '@ledger/event-store';
import { CHECKPOINT_STREAM, SignedCheckpoint, isSignedCheckpoint } from '@ledger/integrity';

/** Checkpoint events read from the stream at a time. */
const READ_PAGE = 500;

/** A checkpoint as the index keeps it between runs. */
export interface KeptCheckpointRow {
  revision: number;
  treeSize: number;
  keyId: string;
  rootHash: string;
}

/**
 * Where the index is kept between runs (the notary's state store), so that a start reads only the checkpoints signed
 * since instead of the whole stream (2 s for 100,000 checkpoints, 70 days at one a minute). What it holds is a prefix
 * of the stream's checkpoints, in revision order, checked against the stream at start.
 */
export interface KeptCheckpoints {
  /** Revisions and tree sizes in revision order, the keys that signed, and the root hash of the last. */
  read(): { revisions: number[]; treeSizes: number[]; keyIds: string[]; lastRootHash: string | null };
  add(rows: readonly KeptCheckpointRow[]): void;
  clear(): void;
}

/**
 * The signed checkpoints as the notary knows them: each one's revision in the checkpoint stream and tree size (two
 * numbers), the latest whole, and the keys that signed. Any other checkpoint is read from the stream by its revision
 * when asked for. The notary signs one a minute while the ledger is written to, and kept whole (with the stream heads
 * each carries) they grew its memory without end, while every list or proof read the whole stream again.
 */
export class CheckpointIndex {
  private revisions: number[] = [];
  private treeSizes: number[] = [];
  /** Whether tree sizes grow with revisions, as the notary signs them (a hand-written stream may not). */
  private ascending = true;
  private last: { revision: bigint; checkpoint: SignedCheckpoint } | undefined;
  private readonly keyIds = new Set<string>();
  private kept: KeptCheckpoints | undefined;
  /** Noted and not yet kept: a read of the stream keeps a page of them at a time. */
  private unkept: KeptCheckpointRow[] = [];
  private reading = false;

  constructor(private readonly store: EventStore) {}

  /**
   * Keeps the index in `kept` from now on (undefined: no more). A write that fails stops the keeping for this run:
   * what is kept stays a prefix of the stream, and the next start reads the rest from the stream.
   */
  keepIn(kept: KeptCheckpoints | undefined): void {
    this.kept = kept;
    this.unkept = [];
  }

  get count(): number {
    return this.revisions.length;
  }

  get latest(): { revision: bigint; checkpoint: SignedCheckpoint } | undefined {
    return this.last;
  }

  /** The keys that signed checkpoints in the stream, as last read. */
  signingKeys(): string[] {
    return [...this.keyIds];
  }

  /** Takes a checkpoint event in; false for one already in (or older) or data that is no signed checkpoint. */
  note(revision: bigint, data: unknown): boolean {
    if (!isSignedCheckpoint(data) || (this.last && revision <= this.last.revision)) return false;
    const previous = this.treeSizes.at(-1);
    if (previous !== undefined && data.treeSize <= previous) this.ascending = false;
    this.revisions.push(Number(revision));
    this.treeSizes.push(data.treeSize);
    this.keyIds.add(data.keyId);
    this.last = { revision, checkpoint: data };
    if (this.kept) {
      this.unkept.push({ revision: Number(revision), treeSize: data.treeSize, keyId: data.keyId, rootHash: data.rootHash });
      if (!this.reading) this.keepNoted();
    }
    return true;
  }

  /**
   * The index as kept by the last run, if its last checkpoint is the stream's at that revision, and what the stream
   * gained since; otherwise the stream read from its start, page by page.
   */
  async load(): Promise<void> {
    this.revisions = [];
    this.treeSizes = [];
    this.ascending = true;
    this.last = undefined;
    this.keyIds.clear();
    this.unkept = [];
    if (await this.takeUpKept()) return this.readFrom(this.last!.revision + 1n);
    await this.readFrom(0n);
  }

  private async takeUpKept(): Promise<boolean> {
    let kept: ReturnType<KeptCheckpoints['read']>;
    try {
      kept = this.kept?.read() ?? { revisions: [], treeSizes: [], keyIds: [], lastRootHash: null };
    } catch {
      kept = { revisions: [], treeSizes: [], keyIds: [], lastRootHash: null };
    }
    const at = kept.revisions.length - 1;
    if (at < 0) return false;
    const [event] = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: BigInt(kept.revisions[at]), maxCount: 1 });
    const checkpoint = event?.data;
    // Another log (restored from a backup, say) has another checkpoint there, or none: the kept index describes another stream.
    if (!event || event.revision !== BigInt(kept.revisions[at]) || !isSignedCheckpoint(checkpoint) || checkpoint.treeSize !== kept.treeSizes[at] || checkpoint.rootHash !== kept.lastRootHash) {
      this.forgetKept();
      return false;
    }
    this.revisions = kept.revisions;
    this.treeSizes = kept.treeSizes;
    this.ascending = kept.treeSizes.every((size, i) => i === 0 || size > kept.treeSizes[i - 1]);
    for (const keyId of kept.keyIds) this.keyIds.add(keyId);
    this.last = { revision: event.revision, checkpoint };
    return true;
  }

  private keepNoted(): void {
    if (!this.kept || this.unkept.length === 0) return;
    try {
      this.kept.add(this.unkept);
    } catch {
      this.kept = undefined;
    }
    this.unkept = [];
  }

  private forgetKept(): void {
    try {
      this.kept?.clear();
    } catch {
      this.kept = undefined;
    }
  }

  /** Reads what was appended since the latest known checkpoint (another replica's, say). */
  async refresh(): Promise<void> {
    await this.readFrom(this.last ? this.last.revision + 1n : 0n);
  }

  /** `limit` checkpoints after the first `offset`, oldest first, read from the stream. */
  async page(offset: number, limit: number): Promise<SignedCheckpoint[]> {
    const first = this.revisions[offset];
    const lastIndex = Math.min(offset + limit, this.revisions.length) - 1;
    if (first === undefined || lastIndex < offset) return [];
    const wanted = new Set(this.revisions.slice(offset, lastIndex + 1));
    const out: SignedCheckpoint[] = [];
    for (let from = BigInt(first); out.length < wanted.size; ) {
      const events = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: Math.min(READ_PAGE, this.revisions[lastIndex] - Number(from) + 1) });
      if (events.length === 0) break;
      for (const event of events) if (wanted.has(Number(event.revision)) && isSignedCheckpoint(event.data)) out.push(event.data);
      from = events[events.length - 1].revision + 1n;
      if (from > BigInt(this.revisions[lastIndex])) break;
    }
    return out;
  }

  /** The checkpoint that signed exactly `treeSize` ledger events, if any. */
  async ofSize(treeSize: number): Promise<SignedCheckpoint | undefined> {
    const index = this.indexOfSize(treeSize);
    return index === undefined ? undefined : this.read(index);
  }

  /** The latest checkpoint that signed at most `treeSize` ledger events, if any. */
  async coveredBy(treeSize: number): Promise<SignedCheckpoint | undefined> {
    for (let i = this.treeSizes.length - 1; i >= 0; i--) if (this.treeSizes[i] <= treeSize) return this.read(i);
    return undefined;
  }

  /** The signed tree sizes nearest `treeSize` on either side: what a 404 offers instead of the whole list. */
  sizesNear(treeSize: number): { below: number | null; above: number | null } {
    let below: number | null = null;
    let above: number | null = null;
    for (const size of this.treeSizes) {
      if (size < treeSize && (below === null || size > below)) below = size;
      if (size > treeSize && (above === null || size < above)) above = size;
    }
    return { below, above };
  }

  private indexOfSize(treeSize: number): number | undefined {
    if (!this.ascending) {
      const i = this.treeSizes.indexOf(treeSize);
      return i < 0 ? undefined : i;
    }
    let [lo, hi] = [0, this.treeSizes.length - 1];
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.treeSizes[mid] === treeSize) return mid;
      if (this.treeSizes[mid] < treeSize) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private async read(index: number): Promise<SignedCheckpoint | undefined> {
    if (index === this.revisions.length - 1) return this.last?.checkpoint;
    const [event] = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: BigInt(this.revisions[index]), maxCount: 1 });
    // The index is only where to look: what is there must be the checkpoint it says.
    return event && isSignedCheckpoint(event.data) && event.data.treeSize === this.treeSizes[index] ? event.data : undefined;
  }

  private async readFrom(revision: bigint): Promise<void> {
    this.reading = true;
    try {
      for (let from = revision; ; ) {
        const events = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: READ_PAGE });
        for (const event of events) this.note(event.revision, event.data);
        this.keepNoted();
        if (events.length < READ_PAGE) return;
        from = events[events.length - 1].revision + 1n;
      }
    } finally {
      this.reading = false;
      this.keepNoted();
    }
  }
}
