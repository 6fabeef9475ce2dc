import { readFileSync, readdirSync } from 'node:fs';

/** Names of this process's threads (Linux), as `top -H` shows them. */
export const threadNames = (): string[] =>
  readdirSync('/proc/self/task').map((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  });
