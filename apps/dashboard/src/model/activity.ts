import type { PartyRecord } from './api-types';

export type ActivityKind = 'claims' | 'denials' | 'corrections' | 'retractions';
export type ActivityClock = 'stated' | 'recorded';
export type Bucket = 'day' | 'week' | 'month';

export interface ActivityPoint {
  kind: ActivityKind;
  partyId: string;
  incidentId: string;
  /** ISO date or date-time on the chosen clock. */
  at: string;
}

/**
 * Every claim, denial, correction and retraction in the parties' records, on the stated or the recorded clock. The
 * page computes its activity tiles from these until GET /stats serves the same counts from the read models.
 */
export const activityOf = (parties: readonly PartyRecord[], clock: ActivityClock): ActivityPoint[] =>
  parties.flatMap((p) =>
    p.incidents.flatMap((i) => {
      const on = (e: { statedAt: { at: string }; recordedAt: string }) => (clock === 'stated' ? e.statedAt.at : e.recordedAt);
      const point = (kind: ActivityKind) => (e: { statedAt: { at: string }; recordedAt: string }) => ({ kind, partyId: p.partyId, incidentId: i.incidentId, at: on(e) });
      return [...i.claims.map(point('claims')), ...i.denialsMade.map(point('denials')), ...i.corrections.map(point('corrections')), ...i.retractions.map(point('retractions'))];
    }),
  );

/** The first day of the bucket an instant falls in (UTC; weeks start on Monday), as YYYY-MM-DD. */
export const bucketOf = (at: string, bucket: Bucket): string => {
  const day = at.slice(0, 10);
  if (bucket === 'day') return day;
  if (bucket === 'month') return `${day.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

export interface BucketCount {
  bucket: string;
  kind: ActivityKind;
  count: number;
}

/** Counts per bucket and kind, oldest bucket first; only the incidents in `incidentIds` when given. */
export const countByBucket = (points: readonly ActivityPoint[], bucket: Bucket, incidentIds?: ReadonlySet<string>): BucketCount[] => {
  const counts = new Map<string, number>();
  for (const p of points) {
    if (incidentIds && !incidentIds.has(p.incidentId)) continue;
    const key = `${bucketOf(p.at, bucket)}|${p.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [b, kind] = key.split('|');
      return { bucket: b, kind: kind as ActivityKind, count };
    })
    .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.kind.localeCompare(b.kind));
};
