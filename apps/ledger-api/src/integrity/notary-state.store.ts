import { closeSync, existsSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { appendFile, open, rename, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { FileScratch, MerkleLog, RecordColumnState, ScratchState, StreamHead } from '@ledger/integrity';
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

/** Why `restore` gives nothing back on a first start. */
export const NO_SNAPSHOT = 'no snapshot stored';

export interface NotarySnapshot {
  format: number;
  /** The log position the notary had followed to (decimal). */
  processed: string;
  scratch: ScratchState;
  tree: { levels: RecordColumnState[] };
  leaves: LeafLocationsState;
  /** Streams written since the checkpoint signed before the snapshot: the heads the next checkpoint records. */
  headsSince: Array<{ head: StreamHead; position: string }>;
}

/** The structures a snapshot gives back, over the kept extents file. */
export interface RestoredState {
  scratch: FileScratch;
  tree: MerkleLog;
  leaves: LeafLocations;
  processed: bigint;
  headsSince: Array<{ head: StreamHead; position: bigint }>;
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

  private constructor(
    private readonly dir: string,
    private readonly lock: Database.Database,
  ) {}

  /** The store of `dataDir`, or undefined when another process holds it. */
  static open(dataDir: string): NotaryStateStore | undefined {
    const lock = new Database(join(dataDir, NOTARY_STATE_FILES.lock), { timeout: 0 });
    try {
      lock.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the exclusive lock, and in this mode the connection keeps it until it closes.
      lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); COMMIT');
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw error;
    }
    return new NotaryStateStore(dataDir, lock);
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
        headsSince: snapshot.headsSince.map(({ head, position }) => ({ head, position: BigInt(position) })),
      };
      if (state.tree.size !== state.leaves.size) throw new RangeError(`the tree holds ${state.tree.size} leaves and the locations ${state.leaves.size}`);
      this.streamsStored = snapshot.leaves.streams;
      this.streamBytesStored = length;
      return state;
    } catch (error) {
      scratch?.close();
      return { none: `the snapshot cannot be read: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** An empty extents file and no snapshot: what a start from the log's beginning keeps. */
  fresh(): FileScratch {
    if (existsSync(this.path('snapshot'))) unlinkSync(this.path('snapshot'));
    closeSync(openSync(this.path('streams'), 'w', 0o600));
    this.streamsStored = 0;
    this.streamBytesStored = 0;
    return FileScratch.kept(this.path('extents'));
  }

  /**
   * Stores a snapshot taken now. What it captures is fixed before the first await; the follower goes on meanwhile,
   * writing only extents the snapshot does not refer to. Resolves once it is durable; rejects and leaves the one
   * before it in force if it cannot be stored.
   */
  async store(state: { scratch: FileScratch; tree: MerkleLog; leaves: LeafLocations; processed: bigint; headsSince: Iterable<{ head: StreamHead; position: bigint }> }): Promise<void> {
    const captured = state.scratch.capture();
    const leaves = state.leaves.snapshot();
    const snapshot: NotarySnapshot = {
      format: FORMAT,
      processed: state.processed.toString(),
      scratch: captured.state,
      tree: state.tree.snapshot(),
      leaves,
      headsSince: [...state.headsSince].map(({ head, position }) => ({ head, position: position.toString() })),
    };
    const newNames = state.leaves.streamNamesFrom(this.streamsStored).map((name) => `${JSON.stringify(name)}\n`).join('');
    const text = JSON.stringify(snapshot);
    try {
      if (newNames.length > 0) {
        // An append that failed halfway leaves a partial line after the names the stored snapshot counts: cut off first.
        await truncate(this.path('streams'), this.streamBytesStored);
        await appendFile(this.path('streams'), newNames);
        await syncFile(this.path('streams'));
      }
      await state.scratch.sync();
      const temporary = `${this.path('snapshot')}.next`;
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path('snapshot'));
      await syncDirectory(dirname(this.path('snapshot')));
    } catch (error) {
      captured.failed();
      throw error;
    }
    this.streamsStored = leaves.streams;
    this.streamBytesStored += Buffer.byteLength(newNames);
    captured.stored();
  }

  close(): void {
    this.lock.close();
  }
}

const syncFile = async (path: string): Promise<void> => {
  const handle = await open(path, 'r+');
  try {
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
  throw new RangeError(`the stream names file holds fewer than ${lines} names`);
};
