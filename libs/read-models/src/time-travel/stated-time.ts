import { PointInTime } from '@ledger/domain';

/**
 * When a party may have said something, as a closed span of epoch
 * milliseconds. A stated time is rarely an instant: "2019-06-01, to the day"
 * is any moment of that day. The span is the calendar period the precision
 * names, taken around `at` in the offset `at` is written with (UTC for a bare
 * date):
 *
 * - exact: what `at` writes (an instant; a bare date is still its whole day,
 *   the string cannot say more);
 * - day: the calendar day of `at`;
 * - week: the ISO week (Monday to Sunday) containing `at`;
 * - month: the calendar month of `at`;
 * - approximate: what `at` writes. The ledger has no bound for "about then",
 *   so the recorder's written estimate is the best one there is.
 */
export interface InstantSpan {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

// Same grammar as the domain's timestamps: a date, or a date-time with its offset.
const WRITTEN = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const offsetMs = (offset: string | undefined): number => {
  if (!offset || offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return sign * (h * 60 + m) * 60_000;
};

/** The span a stated time covers; undefined when `at` is not a timestamp the domain accepts. */
export const statedSpan = (point: PointInTime): InstantSpan | undefined => {
  const m = WRITTEN.exec(point.at);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const isDate = m[4] === undefined;
  const shift = offsetMs(m[4]);
  // Local calendar arithmetic done in UTC, then moved by the written offset.
  const local = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d) - shift;
  const dayStart = local(year, month, day);
  if (!Number.isFinite(dayStart)) return undefined;
  const wholeDay: InstantSpan = { start: dayStart, end: dayStart + DAY_MS - 1 };
  const written = (): InstantSpan | undefined => {
    if (isDate) return wholeDay;
    const instant = Date.parse(point.at);
    return Number.isFinite(instant) ? { start: instant, end: instant } : undefined;
  };
  switch (point.precision) {
    case 'day':
      return wholeDay;
    case 'week': {
      const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7; // Monday 0
      const start = dayStart - weekday * DAY_MS;
      return { start, end: start + 7 * DAY_MS - 1 };
    }
    case 'month':
      return { start: local(year, month, 1), end: local(year, month + 1, 1) - 1 };
    default:
      return written();
  }
};

/**
 * True when the statement was certainly made at or before `cut` (epoch ms):
 * its whole span lies at or before it. A statement known only to the day
 * 2019-06-01 is not yet counted at 2019-06-01T12:00Z (it may have come that
 * afternoon) and is counted from the last millisecond of that day on.
 */
export const statedBy = (point: PointInTime, cut: number): boolean => {
  const span = statedSpan(point);
  return span !== undefined && span.end <= cut;
};
