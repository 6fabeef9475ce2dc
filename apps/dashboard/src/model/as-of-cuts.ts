import type { TimelineEntry } from './api-types';

export type Clock = 'recorded' | 'stated' | 'position';

/** One stop of the as-of slider: a moment on one clock, with the query that asks the ledger about it. */
export interface Cut {
  label: string;
  query: { recordedAsOf?: string; statedAsOf?: string; position?: string };
}

/**
 * The stops of the slider on a clock: one per distinct moment at which something was recorded (or stated) about the
 * incident, oldest first, so each step shows one more entry and nothing between two entries is skipped.
 */
export const cutsOf = (entries: readonly TimelineEntry[], clock: Clock): Cut[] => {
  switch (clock) {
    case 'position':
      return [...new Set(entries.map((e) => BigInt(e.position)))]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((p) => ({ label: `position ${p}`, query: { position: p.toString() } }));
    case 'recorded':
      return [...new Set(entries.map((e) => e.recordedAt))].sort().map((at) => ({ label: `recorded by ${at}`, query: { recordedAsOf: at } }));
    case 'stated':
      return [...new Set(entries.flatMap((e) => (e.statedAt ? [e.statedAt.at] : [])))]
        .sort()
        .map((at) => ({ label: `stated by ${at}`, query: { statedAsOf: at } }));
    default:
      return [];
  }
};

/**
 * The entries the ledger knew at a cut, on the cut's own clock: what the timeline chart shows beside the matrix as of
 * that moment. On the stated clock an entry stated at no time (a report, an amendment) is kept: only statements have
 * a stated time to fall after the cut.
 */
export const entriesAsOf = <E extends Pick<TimelineEntry, 'position' | 'recordedAt' | 'statedAt'>>(entries: readonly E[], query: Cut['query'] | undefined): E[] => {
  if (!query) return [...entries];
  if (query.position !== undefined) {
    const cut = BigInt(query.position);
    return entries.filter((e) => BigInt(e.position) <= cut);
  }
  if (query.recordedAsOf !== undefined) return entries.filter((e) => e.recordedAt <= query.recordedAsOf!);
  if (query.statedAsOf !== undefined) return entries.filter((e) => !e.statedAt || e.statedAt.at <= query.statedAsOf!);
  return [...entries];
};
