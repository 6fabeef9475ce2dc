import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearUnsynced, currentBootId, markUnsynced, unsyncedBeforeThisBoot, unsyncedMarkerOf } from './unsynced-marker';

describe('unsynced-writes marker', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-unsynced-'));
    file = join(dir, 'read-models.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the boot it was written in: nothing to fear in that boot, the file is suspect in any other', () => {
    markUnsynced(file, 'boot-a', new Date('2026-12-06T10:00:00Z'));
    expect(JSON.parse(readFileSync(unsyncedMarkerOf(file), 'utf8'))).toEqual({ bootId: 'boot-a', since: '2026-12-06T10:00:00.000Z' });
    expect(unsyncedBeforeThisBoot(file, 'boot-a')).toBeUndefined();
    expect(unsyncedBeforeThisBoot(file, 'boot-b')).toEqual({ markedBoot: 'boot-a', since: '2026-12-06T10:00:00.000Z' });
    // Where this boot cannot be told, any marker is suspect.
    expect(unsyncedBeforeThisBoot(file, undefined)).toEqual({ markedBoot: 'boot-a', since: '2026-12-06T10:00:00.000Z' });
  });

  it('keeps the first time of a boot when marked again in it, and takes the new boot over a marker of an old one', () => {
    markUnsynced(file, 'boot-a', new Date('2026-12-06T10:00:00Z'));
    markUnsynced(file, 'boot-a', new Date('2026-12-06T11:00:00Z'));
    expect(unsyncedBeforeThisBoot(file, 'boot-b')?.since).toBe('2026-12-06T10:00:00.000Z');
    markUnsynced(file, 'boot-b', new Date('2026-12-06T12:00:00Z'));
    expect(unsyncedBeforeThisBoot(file, 'boot-b')).toBeUndefined();
    expect(unsyncedBeforeThisBoot(file, 'boot-a')).toEqual({ markedBoot: 'boot-b', since: '2026-12-06T12:00:00.000Z' });
    expect(existsSync(`${unsyncedMarkerOf(file)}.tmp`)).toBe(false);
  });

  it('counts a torn or foreign marker as written in another boot', () => {
    writeFileSync(unsyncedMarkerOf(file), '{"bootId": "boot-a"');
    expect(unsyncedBeforeThisBoot(file, 'boot-a')).toEqual({ markedBoot: 'unreadable' });
    writeFileSync(unsyncedMarkerOf(file), '{"bootId": 7}');
    expect(unsyncedBeforeThisBoot(file, 'boot-a')).toEqual({ markedBoot: 'unreadable' });
  });

  it('is gone once cleared, and clearing twice is harmless', () => {
    markUnsynced(file, 'boot-a');
    clearUnsynced(file);
    expect(existsSync(unsyncedMarkerOf(file))).toBe(false);
    expect(unsyncedBeforeThisBoot(file, 'boot-b')).toBeUndefined();
    expect(() => clearUnsynced(file)).not.toThrow();
  });

  it("reads this machine's boot id on Linux", () => {
    if (process.platform !== 'linux') return;
    expect(currentBootId()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
