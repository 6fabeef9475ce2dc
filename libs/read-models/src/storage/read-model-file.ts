import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { clearUnsynced, currentBootId, unsyncedBeforeThisBoot } from './unsynced-marker';

/** Stamped into every read-model file (`PRAGMA application_id`), so that a file of another program is never taken for ours. */
export const READ_MODEL_APPLICATION_ID = 0x4c52_4d31; // 'LRM1'

/** The checkpoint table every version of ours has held: a file without an application id but with it predates the stamp. */
const OWN_TABLE = 'read_model_checkpoints';

/** `unsynced`: written without fsync (LEDGER_READ_MODELS_SYNC=off) while the machine ran a boot that ended before the file was synced. */
export type ReadModelFileProblem = 'not-sqlite' | 'damaged' | 'foreign' | 'unsynced';

export interface ReadModelFileVerdict {
  /** undefined: the file is ours and whole (or absent). */
  problem?: ReadModelFileProblem;
  detail?: string;
}

const SQLITE_CORRUPTION = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/** SQLite says the file's bytes are not a sound database (as opposed to busy, full or unreachable). */
export const isCorruptionError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLITE_CORRUPTION.has(code);
};

const problemOf = (error: unknown): ReadModelFileProblem => ((error as { code?: unknown }).code === 'SQLITE_NOTADB' ? 'not-sqlite' : 'damaged');

/**
 * Whether a read-model file may be opened as ours: SQLite at all, whole (`PRAGMA quick_check`, which reads every page
 * and checks each b-tree's structure, without the slower cross-check of every index entry), and ours (our application
 * id, or none and our checkpoint table, or empty). The file is opened without creating it and closed again.
 */
export const inspectReadModelFile = (filename: string, options: { quickCheck?: boolean } = {}): ReadModelFileVerdict => {
  if (filename === ':memory:' || !existsSync(filename)) return {};
  let db: Database.Database | undefined;
  try {
    db = new Database(filename, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const applicationId = Number(db.pragma('application_id', { simple: true }));
    if (options.quickCheck !== false) {
      const findings = (db.pragma('quick_check(20)') as { quick_check: string }[]).map((row) => row.quick_check);
      if (findings.length !== 1 || findings[0] !== 'ok') return { problem: 'damaged', detail: `quick_check: ${findings.join('; ')}` };
    }
    if (applicationId === READ_MODEL_APPLICATION_ID) return {};
    if (applicationId !== 0) return { problem: 'foreign', detail: `application_id is ${applicationId}, not the read models' ${READ_MODEL_APPLICATION_ID}` };
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    if (tables.length === 0 || tables.includes(OWN_TABLE)) return {};
    return { problem: 'foreign', detail: `no application id and no ${OWN_TABLE} table (tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''})` };
  } catch (error) {
    if (isCorruptionError(error)) return { problem: problemOf(error), detail: error instanceof Error ? error.message : String(error) };
    throw error;
  } finally {
    db?.close();
  }
};

/** `20261204T143700123Z`: sorts in time order and is valid in any file name. */
const stamp = (at: Date): string => at.toISOString().replace(/[-:.]/g, '');

/**
 * Renames the file, with its WAL and shared-memory files, to `<file>.<problem>-<time>` (its `-wal` beside it under the
 * matching name, so that SQLite would still pair them): kept for whoever wants to look at it, out of the ledger's way.
 * Returns the new name. The caller must have closed every connection to it first.
 */
export const moveReadModelFileAside = (filename: string, problem: ReadModelFileProblem | 'stale', at = new Date()): string => {
  const target = `${filename}.${problem}-${stamp(at)}`;
  for (const suffix of ['-wal', '-shm', '']) {
    if (existsSync(filename + suffix)) renameSync(filename + suffix, target + suffix);
  }
  return target;
};

export interface ReadModelFileHealing {
  problem: ReadModelFileProblem;
  detail: string;
  movedTo: string;
  at: string;
}

/**
 * Checks the file and moves it aside when it is not ours or not whole, or took unsynced writes in a boot that ended
 * before they were synced, so that the next open starts an empty file the runner rebuilds from the log. Returns what was
 * done, or undefined when the file was fine.
 */
export const healReadModelFile = (
  filename: string,
  log?: (message: string) => void,
  bootId = currentBootId(),
  options: { quickCheck?: boolean } = {},
): ReadModelFileHealing | undefined => {
  const unsynced = unsyncedBeforeThisBoot(filename, bootId);
  if (unsynced) {
    // quick_check cannot vouch for it: pages from different moments can each be well-formed.
    const detail = `written without sync during boot ${unsynced.markedBoot}${unsynced.since ? ` (from ${unsynced.since})` : ''}, and the machine restarted before it was synced`;
    const healing = existsSync(filename) ? moveAside(filename, 'unsynced', detail, log) : undefined;
    clearUnsynced(filename);
    if (healing) return healing;
  }
  const verdict = inspectReadModelFile(filename, options);
  if (!verdict.problem) return undefined;
  return moveAside(filename, verdict.problem, verdict.detail ?? '', log);
};

/** Moves the file aside for a known problem and says so in the log. */
export const moveAside = (filename: string, problem: ReadModelFileProblem, detail: string, log?: (message: string) => void): ReadModelFileHealing => {
  const at = new Date();
  const movedTo = moveReadModelFileAside(filename, problem, at);
  log?.(`Read models ${filename}: ${problem} (${detail}); moved aside to ${movedTo}, rebuilding from the event log`);
  return { problem, detail, movedTo, at: at.toISOString() };
};

/**
 * The file as a clean close left it: its size, modification time (ns) and inode, written once its WAL was emptied into
 * it and it was synced. `quick_check` reads every page (2.7 s for the 3 GB file of a 1,000,000-event ledger on the
 * development machine); a start that finds the file exactly as that close left it skips it, and any other start (after
 * a crash, or a file touched while the ledger was stopped) runs it.
 */
export const closedCleanMarkerOf = (filename: string): string => `${filename}-closed-clean`;

interface ClosedClean {
  size: string;
  mtimeNs: string;
  ino: string;
}

const identityOf = (filename: string): ClosedClean => {
  const stat = statSync(filename, { bigint: true });
  return { size: stat.size.toString(), mtimeNs: stat.mtimeNs.toString(), ino: stat.ino.toString() };
};

/** After a clean close has emptied the WAL into the file and synced it. */
export const markClosedClean = (filename: string): void => {
  writeFileSync(closedCleanMarkerOf(filename), `${JSON.stringify(identityOf(filename))}\n`);
};

/**
 * Whether the file is exactly as a clean close left it, with no WAL beside it. Consumes the marker either way, before
 * the file is opened for writing: a crash from then on leaves none, and the next start checks the file.
 */
export const unchangedSinceCleanClose = (filename: string): boolean => {
  const marker = closedCleanMarkerOf(filename);
  if (!existsSync(marker)) return false;
  try {
    const held = JSON.parse(readFileSync(marker, 'utf8')) as Partial<ClosedClean>;
    if (!existsSync(filename) || (existsSync(`${filename}-wal`) && statSync(`${filename}-wal`).size > 0)) return false;
    const now = identityOf(filename);
    return held.size === now.size && held.mtimeNs === now.mtimeNs && held.ino === now.ino;
  } catch {
    return false;
  } finally {
    rmSync(marker, { force: true });
  }
};
