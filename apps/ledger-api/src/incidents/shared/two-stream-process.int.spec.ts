import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentStream, toStored } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { COMMIT_POINT_PAGE, commitPointOf } from './two-stream-process';

const INCIDENT = '0d0e6f1c-3c2a-4d7e-9f41-2019060300d1';
const STREAM = incidentStream(INCIDENT);

const mergedInto = (mergeId: string) => {
  const { type, data } = toStored({ type: 'IncidentMergedInto', data: { incidentId: INCIDENT, survivorId: randomUUID(), mergeId, reason: 'the same night' } });
  return { eventId: randomUUID(), type, data, metadata: { recordedAt: '2019-06-03T00:00:00.000Z', recordedBy: 'test', correlationId: 'c', causationId: 'c' } };
};

describe('commitPointOf, the stored commit point of a merge sent again (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'commit-point-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds it pages back from the end, and says so when the stream holds none', async () => {
    // The commit point first, then more than two pages of events after it.
    await store.append(STREAM, [mergedInto('m-1'), ...Array.from({ length: 2 * COMMIT_POINT_PAGE + 5 }, (_, i) => mergedInto(`other-${i}`))]);
    const reads = jest.spyOn(store, 'readStream');
    const result = { streamName: STREAM, revision: BigInt(2 * COMMIT_POINT_PAGE + 5), position: 0n, events: [], replayed: true };
    const found = await commitPointOf(store, result, 'IncidentMergedInto', (data) => data.mergeId === 'm-1');
    expect(found).toMatchObject({ revision: 0n, data: { mergeId: 'm-1' } });
    expect(reads.mock.calls.map(([, options]) => options)).toEqual([
      { direction: 'backwards', fromRevision: undefined, maxCount: COMMIT_POINT_PAGE },
      { direction: 'backwards', fromRevision: BigInt(COMMIT_POINT_PAGE + 5), maxCount: COMMIT_POINT_PAGE },
      { direction: 'backwards', fromRevision: 5n, maxCount: COMMIT_POINT_PAGE },
    ]);
    await expect(commitPointOf(store, result, 'IncidentMergedInto', (data) => data.mergeId === 'm-2')).rejects.toThrow(`${STREAM} holds no IncidentMergedInto`);
  });
});
