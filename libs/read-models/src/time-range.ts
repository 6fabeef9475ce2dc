import { TimeInterval } from '@ledger/domain';

const YEAR = /^\d{4}$/;
const MONTH = /^\d{4}-\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date written without a time covers the whole day (month, year): "from
 * 2019-05-31 to 2019-06-01" includes the night in between. Both ends are
 * widened accordingly so intervals of mixed precision compare fairly.
 */
export const startInstant = (iso: string): number => {
  let ms = starts.get(iso);
  if (ms === undefined) {
    if (starts.size >= MEMO_LIMIT) starts.clear();
    starts.set(iso, (ms = parseStart(iso)));
  }
  return ms;
};

/** Stated and occurrence times repeat (a day is stated by every party that speaks of it): a fold parses each once. */
const starts = new Map<string, number>();
const MEMO_LIMIT = 4096;

const parseStart = (iso: string): number => {
  if (YEAR.test(iso)) return Date.parse(`${iso}-01-01T00:00:00.000Z`);
  if (MONTH.test(iso)) return Date.parse(`${iso}-01T00:00:00.000Z`);
  if (DAY.test(iso)) return Date.parse(`${iso}T00:00:00.000Z`);
  return Date.parse(iso);
};

export const endInstant = (iso: string): number => {
  if (YEAR.test(iso)) return Date.UTC(Number(iso) + 1, 0, 1) - 1;
  if (MONTH.test(iso)) {
    const [y, m] = iso.split('-').map(Number);
    return Date.UTC(y, m, 1) - 1;
  }
  if (DAY.test(iso)) return Date.parse(`${iso}T00:00:00.000Z`) + 86_400_000 - 1;
  return Date.parse(iso);
};

/** The interval as two UTC instants; ISO strings of this form sort chronologically as text, which SQL filters rely on. */
export interface InstantRange {
  start: string;
  end: string;
}

const iso = (ms: number, fallback: string): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : fallback);

export const instantRange = (interval: Pick<TimeInterval, 'from' | 'to'>): InstantRange => ({
  start: iso(startInstant(interval.from), interval.from),
  end: iso(endInstant(interval.to), interval.to),
});

export const intervalsOverlap = (a: Pick<TimeInterval, 'from' | 'to'>, b: Pick<TimeInterval, 'from' | 'to'>): boolean => {
  const [aStart, aEnd, bStart, bEnd] = [startInstant(a.from), endInstant(a.to), startInstant(b.from), endInstant(b.to)];
  if ([aStart, aEnd, bStart, bEnd].some((n) => !Number.isFinite(n))) return a.from <= b.to && b.from <= a.to;
  return aStart <= bEnd && bStart <= aEnd;
};

/** Orders stated times; ties (or unparseable times) fall back to recorded order. */
export const compareStated = (a: { at: string }, b: { at: string }): number => {
  const [x, y] = [startInstant(a.at), startInstant(b.at)];
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
};
