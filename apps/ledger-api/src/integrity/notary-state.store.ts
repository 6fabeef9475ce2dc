import { closeSync, existsSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { FileScratch, MerkleLog, RecordColumnState, ScratchState, StreamHead } from '@ledger/integrity';
import { KeptCheckpointRow, KeptCheckpoints } from './checkpoint-index';
import { LeafLocations, LeafLocationsState } from './leaf-locations';

/** Bumped whenever what a snapshot holds changes meaning: a snapshot of another format is ignored (the log is re-read). */
const FORMAT = 1;

export const NOTARY_STATE_FILES = {
  /** Held with an exclusive SQLite lock while a process keeps the state: the kernel drops the lock when it dies. */
  lock: 'notary-state.lock',
  /** The latest stored snapshot, JSON, replaced by rename. */
  snapshot: 'notary-state.json',
  /** The tree's and the leaf locations' extents. */
  extents: 'notary-state.extents',
  /** Stream names, one JSON string a line, in the order of their numbers; lines past a snapshot's count are ignored. */
  streams: 'notary-state.streams',
} as const;

/**
 * Heads of the streams written since the latest checkpoint, one `[stream, revision, hash, position]` a line, the later
 * line of a stream winning: a snapshot appends the heads changed since the one before, and a new generation of the
 * file starts over with the heads in force once most lines are stale. A snapshot names its generation and length.
 */
export const notaryHeadsFile = (generation: number): string => `notary-state.heads-${generation}`;

/** Lines a heads file may hold beyond twice the heads in force before it is written again in full. */
const STALE_HEAD_LINES = 10_000;

export type HeadEntry = { head: StreamHead; position: bigint };

/** Why `restore` gives nothing back on a first start. */
export const NO_SNAPSHOT = 'no snapshot stored';

export interface NotarySnapshot {
  format: number;
  /** The log position the notary had followed to (decimal). */
  processed: string;
  scratch: ScratchState;
  tree: { levels: RecordColumnState[] };
  leaves: LeafLocationsState;
  /** Where the heads of the streams written since the latest checkpoint are (see notaryHeadsFile). */
  heads: { generation: number; bytes: number; lines: number };
}

/** The structures a snapshot gives back, over the kept extents file. */
export interface RestoredState {
  scratch: FileScratch;
  tree: MerkleLog;
  leaves: LeafLocations;
  processed: bigint;
  /** The heads stored with the snapshot, some of which a checkpoint signed since may cover. */
  headsSince: HeadEntry[];
}

/**
 * Where the notary keeps its tree between runs, so that a start reads only what the log gained since the last snapshot
 * instead of re-hashing the whole log. One process at a time: the first takes a lock that the kernel releases when it
 * dies; another (a second ledger on the same data directory) gets none and keeps a throwaway tree as before.
 *
 * A snapshot refers to extents of the extents file and to a prefix of the stream names file, both made durable before
 * the snapshot file is replaced; the extents a snapshot refers to are not written again until the next one is stored
 * (FileScratch.capture). So a crash at any point leaves the last stored snapshot whole, and the notary reads the log
 * after it. Whatever does not match the log at start (another log restored, a damaged file) is dropped, and the log
 * is read from its start.
 */
export class NotaryStateStore {
  /** Names the stored snapshot counts, and the bytes of their lines. */
  private streamsStored = 0;
  private streamBytesStored = 0;
  /** The heads file the stored snapshot names. */
  private heads = { generation: 0, bytes: 0, lines: 0 };

  private constructor(
    private readonly dir: string,
    private readonly lock: Database.Database,
    private readonly staleHeadLines: number,
  ) {}

  /** The store of `dataDir`, or undefined when another process holds it. */
  static open(dataDir: string, options: { staleHeadLines?: number } = {}): NotaryStateStore | undefined {
    const lock = new Database(join(dataDir, NOTARY_STATE_FILES.lock), { timeout: 0 });
    try {
      lock.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the exclusive lock, and in this mode the connection keeps it until it closes.
      lock.exec(
        'BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); ' +
          'CREATE TABLE IF NOT EXISTS checkpoints (revision INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, key_id TEXT NOT NULL, root_hash TEXT NOT NULL); COMMIT',
      );
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw error;
    }
    return new NotaryStateStore(dataDir, lock, options.staleHeadLines ?? STALE_HEAD_LINES);
  }

  private path(file: keyof typeof NOTARY_STATE_FILES): string {
    return join(this.dir, NOTARY_STATE_FILES[file]);
  }

  /**
   * The structures of the stored snapshot, or why there are none to take up (no snapshot, another format, malformed):
   * then the caller starts afresh. They still have to be checked against the log.
   */
  restore(): RestoredState | { none: string } {
    if (!existsSync(this.path('snapshot'))) return { none: NO_SNAPSHOT };
    let scratch: FileScratch | undefined;
    try {
      const snapshot = JSON.parse(readFileSync(this.path('snapshot'), 'utf8')) as NotarySnapshot;
      if (snapshot.format !== FORMAT) return { none: `a snapshot of format ${String(snapshot.format)}, not ${FORMAT}` };
      const bytes = readFileSync(this.path('streams'));
      const length = byteLengthOfLines(bytes, snapshot.leaves.streams);
      const streamNames = length === 0 ? [] : bytes.subarray(0, length - 1).toString('utf8').split('\n').map((line) => JSON.parse(line) as string);
      scratch = FileScratch.kept(this.path('extents'), snapshot.scratch);
      const state: RestoredState = {
        scratch,
        tree: MerkleLog.restore(scratch, snapshot.tree),
        leaves: LeafLocations.restore(scratch, snapshot.leaves, streamNames),
        processed: BigInt(snapshot.processed),
        headsSince: this.readHeads(snapshot.heads),
      };
      if (state.tree.size !== state.leaves.size) throw new RangeError(`the tree holds ${state.tree.size} leaves and the locations ${state.leaves.size}`);
      this.streamsStored = snapshot.leaves.streams;
      this.streamBytesStored = length;
      this.heads = { ...snapshot.heads };
      this.removeHeadsFilesBut(this.heads.generation);
      return state;
    } catch (error) {
      scratch?.close();
      return { none: `the snapshot cannot be read: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private readHeads(heads: NotarySnapshot['heads']): HeadEntry[] {
    const bytes = readFileSync(join(this.dir, notaryHeadsFile(heads.generation)));
    if (byteLengthOfLines(bytes, heads.lines) !== heads.bytes) throw new RangeError(`the heads file's first ${heads.lines} lines are not the ${heads.bytes} bytes stored`);
    const latest = new Map<string, HeadEntry>();
    for (const line of heads.bytes === 0 ? [] : bytes.subarray(0, heads.bytes - 1).toString('utf8').split('\n')) {
      const [stream, revision, hash, position] = JSON.parse(line) as [string, string, string, string];
      latest.set(stream, { head: { stream, revision, hash }, position: BigInt(position) });
    }
    return [...latest.values()];
  }

  /** An empty extents file and no snapshot: what a start from the log's beginning keeps. */
  fresh(): FileScratch {
    if (existsSync(this.path('snapshot'))) unlinkSync(this.path('snapshot'));
    closeSync(openSync(this.path('streams'), 'w', 0o600));
    this.streamsStored = 0;
    this.streamBytesStored = 0;
    this.heads = { generation: this.heads.generation + 1, bytes: 0, lines: 0 };
    closeSync(openSync(join(this.dir, notaryHeadsFile(this.heads.generation)), 'w', 0o600));
    this.removeHeadsFilesBut(this.heads.generation);
    return FileScratch.kept(this.path('extents'));
  }

  /**
   * Stores a snapshot taken now. What it captures is fixed before the first await; the follower goes on meanwhile,
   * writing only extents the snapshot does not refer to. Resolves once it is durable; rejects and leaves the one
   * before it in force if it cannot be stored.
   */
  async store(state: {
    scratch: FileScratch;
    tree: MerkleLog;
    leaves: LeafLocations;
    processed: bigint;
    /** The heads in force, and the streams whose head changed since the last snapshot stored. */
    heads: ReadonlyMap<string, HeadEntry>;
    headsChanged: Iterable<string>;
  }): Promise<void> {
    const captured = state.scratch.capture();
    const leaves = state.leaves.snapshot();
    const tree = state.tree.snapshot();
    const changed = [...state.headsChanged].flatMap((stream) => state.heads.get(stream) ?? []);
    const rewrite = this.heads.lines + changed.length > 2 * state.heads.size + this.staleHeadLines;
    // Head entries are replaced, never changed, and the names only grow: these arrays hold what was captured.
    const headEntries = rewrite ? [...state.heads.values()] : changed;
    const names = state.leaves.streamNamesFrom(this.streamsStored);
    const headLines = await linesOf(headEntries, ({ head, position }) => JSON.stringify([head.stream, head.revision, head.hash, position.toString()]));
    const heads = rewrite
      ? { generation: this.heads.generation + 1, bytes: Buffer.byteLength(headLines), lines: headEntries.length }
      : { generation: this.heads.generation, bytes: this.heads.bytes + Buffer.byteLength(headLines), lines: this.heads.lines + changed.length };
    const snapshot: NotarySnapshot = { format: FORMAT, processed: state.processed.toString(), scratch: captured.state, tree, leaves, heads };
    const newNames = await linesOf(names, (name) => JSON.stringify(name));
    const text = JSON.stringify(snapshot);
    try {
      // An append that failed halfway leaves a partial line after what the stored snapshot counts: written over.
      if (newNames.length > 0) await writeDurably(this.path('streams'), this.streamBytesStored, newNames);
      if (rewrite || headLines.length > 0) await writeDurably(join(this.dir, notaryHeadsFile(heads.generation)), rewrite ? 0 : this.heads.bytes, headLines);
      await state.scratch.sync();
      const temporary = `${this.path('snapshot')}.next`;
      await writeDurably(temporary, 0, text);
      await rename(temporary, this.path('snapshot'));
      await syncDirectory(dirname(this.path('snapshot')));
    } catch (error) {
      captured.failed();
      throw error;
    }
    this.streamsStored = leaves.streams;
    this.streamBytesStored += Buffer.byteLength(newNames);
    const previous = this.heads.generation;
    this.heads = heads;
    captured.stored();
    if (heads.generation !== previous) await unlink(join(this.dir, notaryHeadsFile(previous))).catch(() => undefined);
  }

  /** Generations of the heads file no stored snapshot names any more (left by a crash or a start afresh). */
  private removeHeadsFilesBut(generation: number): void {
    const prefix = notaryHeadsFile(0).replace(/0$/, '');
    for (const file of readdirSync(this.dir)) {
      if (file.startsWith(prefix) && file !== notaryHeadsFile(generation)) unlinkSync(join(this.dir, file));
    }
  }

  /** The notary's checkpoint index, kept in the lock's database (one row a checkpoint; see CheckpointIndex). */
  readonly checkpoints: KeptCheckpoints = {
    read: () => {
      const rows = this.lock.prepare('SELECT revision, tree_size FROM checkpoints ORDER BY revision').raw().all() as Array<[number, number]>;
      const keyIds = (this.lock.prepare('SELECT DISTINCT key_id FROM checkpoints').pluck().all() as string[]).sort();
      const lastRootHash = (this.lock.prepare('SELECT root_hash FROM checkpoints ORDER BY revision DESC LIMIT 1').pluck().get() as string | undefined) ?? null;
      return { revisions: rows.map((r) => r[0]), treeSizes: rows.map((r) => r[1]), keyIds, lastRootHash };
    },
    add: (rows: readonly KeptCheckpointRow[]) => {
      const insert = this.lock.prepare('INSERT OR REPLACE INTO checkpoints (revision, tree_size, key_id, root_hash) VALUES (?, ?, ?, ?)');
      this.lock.transaction(() => {
        for (const r of rows) insert.run(r.revision, r.treeSize, r.keyId, r.rootHash);
      })();
    },
    clear: () => void this.lock.exec('DELETE FROM checkpoints'),
  };

  close(): void {
    this.lock.close();
  }
}

/**
 * Lines of JSON, a turn of the event loop at a time: the first snapshot after an import of 100,000 incidents wrote as
 * many heads and stream names, and held the HTTP thread about 0.1 s writing them out in one go.
 */
const linesOf = async <T>(items: readonly T[], line: (item: T) => string, perTurn = 5_000): Promise<string> => {
  const parts: string[] = [];
  for (let from = 0; from < items.length; from += perTurn) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    parts.push(items.slice(from, from + perTurn).map((item) => `${line(item)}\n`).join(''));
  }
  return parts.join('');
};

/** Replaces what `path` holds from byte `from` on with `text` (creating the file when `from` is 0), and syncs it. */
const writeDurably = async (path: string, from: number, text: string): Promise<void> => {
  const handle = await open(path, from === 0 ? 'w' : 'r+', 0o600);
  try {
    await handle.truncate(from);
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, from + done)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

/** The directory entry of a renamed file is durable once its directory is synced (Linux; elsewhere best effort). */
const syncDirectory = async (path: string): Promise<void> => {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms refuse to open or sync a directory; the rename is still atomic there.
  }
};

/** Bytes of the first `lines` lines (each ending in a newline). */
const byteLengthOfLines = (bytes: Buffer, lines: number): number => {
  if (lines === 0) return 0;
  let seen = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && ++seen === lines) return i + 1;
  throw new RangeError(`a file holds fewer than the ${lines} lines its snapshot counts`);
};
