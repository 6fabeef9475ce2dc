import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A read-model file written without fsync (`synchronous = OFF`) is safe when the process dies: what it wrote is in the
 * kernel's page cache and reaches the disk. It is not when the machine goes down (power loss, kernel crash): pages may
 * reach the disk out of order, and SQLite cannot tell a file whose pages come from different moments. So a writer
 * that does not sync leaves this marker beside the file, naming the machine's boot; at the next open, a marker from
 * another boot means the machine went down while the file held unsynced writes, and the file is rebuilt from the log
 * (see healReadModelFile). A clean close syncs the file and removes the marker.
 */

/** The kernel's id of this boot; a new one after every restart of the machine. Linux only. */
export const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

export const currentBootId = (): string | undefined => {
  try {
    const id = readFileSync(BOOT_ID_FILE, 'utf8').trim();
    return id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
};

export const unsyncedMarkerOf = (filename: string): string => `${filename}-unsynced`;

interface UnsyncedMarker {
  bootId: string;
  since: string;
}

/** fsync of a file or directory by its path (a rename or removal is durable once its directory is synced). */
export const syncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/**
 * Says, durably, that the file is about to take unsynced writes in this boot. Written before the first such write:
 * through a temporary file, synced, renamed, and the directory synced, so that no crash leaves a torn marker.
 */
export const markUnsynced = (filename: string, bootId: string, at = new Date()): void => {
  const marker = unsyncedMarkerOf(filename);
  try {
    const held = JSON.parse(readFileSync(marker, 'utf8')) as Partial<UnsyncedMarker>;
    if (held.bootId === bootId) return;
  } catch {
    // None yet, or unreadable: written below.
  }
  const temporary = `${marker}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeFileSync(fd, `${JSON.stringify({ bootId, since: at.toISOString() } satisfies UnsyncedMarker)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, marker);
  syncPath(dirname(marker));
};

/** Once the file is synced whole (its WAL checkpointed into it and emptied, with syncs): nothing unsynced is left. */
export const clearUnsynced = (filename: string): void => {
  const marker = unsyncedMarkerOf(filename);
  if (!existsSync(marker)) return;
  rmSync(marker, { force: true });
  syncPath(dirname(marker));
};

/**
 * The boot in which the file took unsynced writes that were never synced, when that is not the current boot: the
 * machine restarted since, and the file cannot be trusted. Undefined when there is no marker, or it names this boot
 * (the process died, the machine did not). A marker that cannot be read counts as another boot's.
 */
export const unsyncedBeforeThisBoot = (filename: string, bootId: string | undefined): { markedBoot: string; since?: string } | undefined => {
  const marker = unsyncedMarkerOf(filename);
  if (!existsSync(marker)) return undefined;
  let held: Partial<UnsyncedMarker> = {};
  try {
    held = JSON.parse(readFileSync(marker, 'utf8')) as Partial<UnsyncedMarker>;
  } catch {
    // Unreadable: treated as written in another boot.
  }
  if (bootId !== undefined && held.bootId === bootId) return undefined;
  return { markedBoot: typeof held.bootId === 'string' ? held.bootId : 'unreadable', ...(typeof held.since === 'string' ? { since: held.since } : {}) };
};
