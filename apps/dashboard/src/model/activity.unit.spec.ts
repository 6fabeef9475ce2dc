import { activityOf, bucketOf, countByBucket } from './activity';

const meta = (statedAt: string, recordedAt: string) => ({ statedAt: { at: statedAt, precision: 'day' }, recordedAt });
const parties = [
  {
    partyId: 'az',
    incidents: [
      { incidentId: 'i1', claims: [meta('2019-05-30', '2026-01-05T10:00:00Z')], denialsMade: [], corrections: [meta('2019-06-02', '2026-01-06T10:00:00Z')], retractions: [] },
      { incidentId: 'i2', claims: [meta('2019-07-01', '2026-01-05T11:00:00Z')], denialsMade: [], corrections: [], retractions: [] },
    ],
  },
  { partyId: 'kda', incidents: [{ incidentId: 'i1', claims: [], denialsMade: [meta('2019-06-01', '2026-01-05T12:00:00Z')], corrections: [], retractions: [] }] },
] as never;

describe("the dashboard's activity tiles", () => {
  it('buckets by day, Monday-based week and month', () => {
    expect(bucketOf('2019-06-02T23:00:00Z', 'day')).toBe('2019-06-02');
    expect(bucketOf('2019-06-02', 'week')).toBe('2019-05-27');
    expect(bucketOf('2019-06-03', 'week')).toBe('2019-06-03');
    expect(bucketOf('2019-06-30', 'month')).toBe('2019-06-01');
  });

  it('counts claims, denials, corrections and retractions per bucket on the stated clock', () => {
    expect(countByBucket(activityOf(parties, 'stated'), 'month')).toEqual([
      { bucket: '2019-05-01', kind: 'claims', count: 1 },
      { bucket: '2019-06-01', kind: 'corrections', count: 1 },
      { bucket: '2019-06-01', kind: 'denials', count: 1 },
      { bucket: '2019-07-01', kind: 'claims', count: 1 },
    ]);
  });

  it('counts on the recorded clock, for the chosen incidents only', () => {
    expect(countByBucket(activityOf(parties, 'recorded'), 'day', new Set(['i1']))).toEqual([
      { bucket: '2026-01-05', kind: 'claims', count: 1 },
      { bucket: '2026-01-05', kind: 'denials', count: 1 },
      { bucket: '2026-01-06', kind: 'corrections', count: 1 },
    ]);
  });
});
