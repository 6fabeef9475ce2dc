import { closeSync, openSync, statSync, writeSync } from 'node:fs';
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
