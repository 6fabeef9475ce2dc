import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

/** Overwrites `length` bytes at `offset` with noise, as a bad disk or a stray write would. */
export const scribble = (file: string, offset: number, length: number): void => {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
};

/**
 * Noise over every page but the first, then a commit by another connection: connections that have the file open drop
 * the pages they hold and read the noise, as they would after damage they did not cause.
 */
export const damageUnderOpenConnections = (file: string): void => {
  scribble(file, 4096, statSync(file).size - 4096);
  const other = new Database(file);
  try {
    other.pragma(`user_version = ${other.pragma('user_version', { simple: true })}`);
  } finally {
    other.close();
  }
};

/**
 * Noise over the first page of an index's b-tree, which no open, checkpoint or fold of an already projected log reads:
 * only reading the file whole (or a query using that index) meets it. Returns where it lies and the noise.
 */
export const scribbleIndexRoot = (file: string, index: string, pageSize: number): { at: number; noise: Buffer } => {
  const db = new Database(file, { readonly: true });
  let root: number;
  try {
    root = Number(db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?").pluck().get(index));
  } finally {
    db.close();
  }
  if (!(root > 1)) throw new Error(`No index ${index} in ${file}`);
  const at = (root - 1) * pageSize;
  scribble(file, at, pageSize);
  const fd = openSync(file, 'r');
  try {
    const noise = Buffer.alloc(pageSize);
    readSync(fd, noise, 0, pageSize, at);
    return { at, noise };
  } finally {
    closeSync(fd);
  }
};
