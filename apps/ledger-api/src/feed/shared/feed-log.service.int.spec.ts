import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { generateEntries } from '../../../../../bench/generate-log';
import { writeLog } from '../../../../../bench/support/log-writer';
import { loadLedgerConfig } from '../../platform/config/ledger-config';
import { ClaimOwners } from './claim-owners.service';
import { FeedFilter } from './feed-filter';
import { FeedLog } from './feed-log.service';

jest.setTimeout(60_000);

describe('FeedLog.scan on the embedded store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let log: FeedLog;

  beforeAll(async () => {
    // Memory-backed where there is one: 2,000 fsync'ed appends would make seeding the slow part.
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'feed-log-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await writeLog(store, generateEntries(4_000));
    log = new FeedLog(store, loadLedgerConfig({ LEDGER_DATA_DIR: dir }, dir), new ClaimOwners(store));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Regression: the store answers reads synchronously, so a scan of pages that match nothing ran in microtasks only,
  // and a stream catching up from position 0 under a rare filter held every other request for seconds.
  it('gives the event loop a turn before each page it reads, so a rare filter far behind does not hold the server', async () => {
    let turns = 0;
    let scanning = true;
    const tick = (): void => {
      turns += 1;
      if (scanning) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await log.scan(0n, { filter: new FeedFilter({ incidents: [randomUUID()] }), limit: 500, maxScan: 4_000 });
    scanning = false;
    expect(result.entries).toEqual([]);
    expect(result.scanned).toBe(4_000);
    // Four pages of 1,000: the loop came round before each of them.
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  it('still returns every matching event, in order, across pages', async () => {
    const all = await log.scan(0n, { filter: new FeedFilter({}), limit: 4_000, maxScan: 4_000 });
    const incident = all.entries.find((e) => e.incidentId !== undefined)!.incidentId!;
    const expected = all.entries.filter((e) => e.incidentId === incident).map((e) => e.position);
    const found = await log.scan(0n, { filter: new FeedFilter({ incidents: [incident] }), limit: 4_000, maxScan: 4_000 });
    expect(found.entries.map((e) => e.position)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(1);
  });
});
