import type { ActivityRow } from './api-types';

export const ACTIVITY_KINDS = ['claims', 'denials', 'corrections', 'retractions'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** One bar segment of a stacked activity chart. */
export interface ActivityBar {
  /** The bucket's first day, the party's name or the category: what the bar stands for. */
  key: string;
  kind: ActivityKind;
  count: number;
}

/**
 * GET /stats/activity rows as stacked-bar segments, one per kind with a count, in the rows' order (the ledger sorts
 * them by bucket then group). `keyOf` picks what a bar stands for; a party not yet registered is shown by its id.
 */
export const activityBars = (rows: readonly ActivityRow[], keyOf: (row: ActivityRow) => string): ActivityBar[] =>
  rows.flatMap((row) => ACTIVITY_KINDS.filter((kind) => row[kind] > 0).map((kind) => ({ key: keyOf(row), kind, count: row[kind] })));

export const byBucket = (row: ActivityRow): string => row.bucket ?? 'all';
export const byParty = (row: ActivityRow): string => row.partyName ?? row.partyId ?? '?';
export const byCategory = (row: ActivityRow): string => row.category ?? '?';
