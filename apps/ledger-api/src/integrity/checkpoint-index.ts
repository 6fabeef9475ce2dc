import { EventStore } from '@ledger/event-store';
import { CHECKPOINT_STREAM, SignedCheckpoint, isSignedCheckpoint } from '@ledger/integrity';

/** Checkpoint events read from the stream at a time. */
const READ_PAGE = 500;

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

  constructor(private readonly store: EventStore) {}

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
    return true;
  }

  /** Reads the stream from its start, page by page, keeping only the index. */
  async load(): Promise<void> {
    this.revisions = [];
    this.treeSizes = [];
    this.ascending = true;
    this.last = undefined;
    this.keyIds.clear();
    await this.readFrom(0n);
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
    return event && isSignedCheckpoint(event.data) ? event.data : undefined;
  }

  private async readFrom(revision: bigint): Promise<void> {
    for (let from = revision; ; ) {
      const events = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: READ_PAGE });
      for (const event of events) this.note(event.revision, event.data);
      if (events.length < READ_PAGE) return;
      from = events[events.length - 1].revision + 1n;
    }
  }
}
