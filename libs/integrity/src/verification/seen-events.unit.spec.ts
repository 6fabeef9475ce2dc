import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileScratch, MemoryScratch } from '../scratch/scratch-space';
import { SeenEvents } from './seen-events';

const hashOf = (stream: number, revision: number, seen = 0): string => createHash('sha256').update(`${stream}@${revision}#${seen}`).digest('hex');

describe('SeenEvents', () => {
  it('answers for every revision of every stream, past what its index keeps in memory, on a file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'seen-'));
    const scratch = new FileScratch(directory);
    try {
      const seen = new SeenEvents(scratch);
      // 300 streams of 150 revisions, interleaved as a log interleaves them: 45,000 records.
      for (let revision = 0; revision < 150; revision++) {
        for (let stream = 0; stream < 300; stream++) seen.add(stream, BigInt(revision), stream % 50 === 7 && revision === 3 ? undefined : hashOf(stream, revision));
      }
      const wrong: string[] = [];
      for (let stream = 0; stream < 300; stream += 7) {
        for (let revision = 0; revision < 150; revision += 3) {
          const expected = stream % 50 === 7 && revision === 3 ? undefined : hashOf(stream, revision);
          const got = seen.get(stream, BigInt(revision));
          if (!got || got.hash !== expected) wrong.push(`${stream}@${revision}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(seen.get(7, 3n)).toEqual({ hash: undefined });
      expect(seen.get(0, 150n)).toBeUndefined();
      expect(seen.get(300, 0n)).toBeUndefined();
    } finally {
      scratch.close();
      rmSync(directory, { recursive: true });
    }
  });

  it('answers with the one seen last when a revision is seen twice, as a damaged log may hold it', () => {
    const seen = new SeenEvents(new MemoryScratch());
    seen.add(1, 4n, hashOf(1, 4, 0));
    seen.add(2, 4n, hashOf(2, 4));
    seen.add(1, 4n, hashOf(1, 4, 1));
    expect(seen.get(1, 4n)).toEqual({ hash: hashOf(1, 4, 1) });
    seen.add(1, 4n, undefined);
    expect(seen.get(1, 4n)).toEqual({ hash: undefined });
  });

  it('tells apart revisions whose keys collide, by the stream and revision it stored', () => {
    const seen = new SeenEvents(new MemoryScratch(), () => 42);
    seen.add(0, 0n, hashOf(0, 0));
    seen.add(1, 0n, hashOf(1, 0));
    seen.add(0, 1n, hashOf(0, 1));
    seen.add(0, 2n ** 40n, hashOf(0, 2 ** 40));
    expect(seen.get(0, 0n)).toEqual({ hash: hashOf(0, 0) });
    expect(seen.get(1, 0n)).toEqual({ hash: hashOf(1, 0) });
    expect(seen.get(0, 1n)).toEqual({ hash: hashOf(0, 1) });
    expect(seen.get(0, 2n ** 40n)).toEqual({ hash: hashOf(0, 2 ** 40) });
    expect(seen.get(1, 1n)).toBeUndefined();
  });

  it('refuses a hash that is not 64 hex digits', () => {
    const seen = new SeenEvents(new MemoryScratch());
    expect(() => seen.add(0, 0n, 'zz')).toThrow(RangeError);
  });
});
