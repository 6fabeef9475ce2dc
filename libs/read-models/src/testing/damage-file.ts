import { closeSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Overwrites `length` bytes at `offset` with noise, as a bad disk or a stray write would. */
export const scribble = (file: string, offset: number, length: number): void => {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
};
