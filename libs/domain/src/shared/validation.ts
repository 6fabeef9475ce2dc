import {
  ACLED_EVENT_TYPES,
  ACLED_SUB_EVENT_TYPES_OF,
  AcledEventType,
  Assertions,
  CASUALTY_CATEGORIES,
  CasualtyReport,
  INFORMATION_CREDIBILITIES,
  IncidentCategory,
  NATIONALITY_PATTERN,
  SOURCE_RELIABILITIES,
  SourceGrade,
} from '../incidents/incident.events';
import { casualtyGroupKey } from './assertions';
import { DomainError } from './domain-error';
import { Estimate, Place, PointInTime, Statement, TimeInterval } from './values';

/**
 * Value rules shared by the deciders. Each throws a 'rule' DomainError whose
 * `field` is the dotted path of the offending input, so callers pass the
 * path prefix under which the value sits in their command.
 */

const refuse = (code: string, message: string, field: string): never => {
  throw new DomainError(code, message, 'rule', field);
};

const join = (prefix: string, path: string): string => (prefix ? `${prefix}.${path}` : path);

export const requireText = (value: string | undefined, field: string): void => {
  if (typeof value !== 'string' || value.trim() === '') refuse('text-required', `${field} must not be blank`, field);
};

// A time of day must carry its offset: without one the instant depends on
// the clock's zone of whoever parses it, and the domain must not.
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Milliseconds since the epoch of an ISO-8601 date or date-time with offset; undefined if it is not one. */
export const parseTimestamp = (value: string): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

export const validateTimestamp = (value: string, field: string): number => {
  const ms = parseTimestamp(value);
  return ms ?? refuse('invalid-time', `${field} must be an ISO-8601 date, or date-time with offset`, field);
};

export const validatePointInTime = (point: PointInTime, field: string): void => {
  validateTimestamp(point.at, join(field, 'at'));
};

export const validateInterval = (interval: TimeInterval, field: string): void => {
  const from = validateTimestamp(interval.from, join(field, 'from'));
  const to = validateTimestamp(interval.to, join(field, 'to'));
  if (from > to) refuse('invalid-interval', `${field} starts after it ends`, field);
};

export const validatePlace = (place: Place, field: string): void => {
  requireText(place.name, join(field, 'name'));
  const c = place.coordinates;
  if (c === undefined) return;
  const inRange = (v: number, limit: number) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit;
  if (!inRange(c.lat, 90)) refuse('invalid-coordinates', 'latitude must be between -90 and 90', join(field, 'coordinates.lat'));
  if (!inRange(c.lon, 180)) refuse('invalid-coordinates', 'longitude must be between -180 and 180', join(field, 'coordinates.lon'));
};

export const validateStatement = (statement: Statement, field: string): void => {
  requireText(statement?.text, join(field, 'text'));
};

const isCount = (n: number | undefined): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0;

export const validateEstimate = (estimate: Estimate, field: string): void => {
  const { best, low, high } = estimate;
  const counts = isCount(best) && (low === undefined || isCount(low)) && (high === undefined || isCount(high));
  if (!counts) refuse('invalid-estimate', `${field}: best, low and high must be whole numbers, 0 or more`, field);
  if ((low !== undefined && low > best) || (high !== undefined && best > high)) {
    refuse('invalid-estimate', `${field}: expected low <= best <= high`, field);
  }
};

export const requireKnownParty = (partyId: string, knownParties: ReadonlySet<string>, field: string): void => {
  if (!knownParties.has(partyId)) {
    throw new DomainError('unknown-party', `${field}: no registered party "${partyId}"`, 'rule', field);
  }
};


/** Every value rule of structured assertions; `prefix` is where they sit in the command (e.g. `assertions`). */
export const validateAssertions = (assertions: Assertions, knownParties: ReadonlySet<string>, prefix: string): void => {
  const at = (path: string) => join(prefix, path);

  assertions.responsibleParties?.forEach((partyId, i) => requireKnownParty(partyId, knownParties, at(`responsibleParties[${i}]`)));

  const ceasefire = assertions.ceasefire;
  if (ceasefire) {
    ceasefire.by?.forEach((partyId, i) => requireKnownParty(partyId, knownParties, at(`ceasefire.by[${i}]`)));
    if (!ceasefire.violated && ceasefire.by && ceasefire.by.length > 0) {
      refuse('invalid-ceasefire', 'a ceasefire said not to be violated cannot name violators', at('ceasefire.by'));
    }
  }

  if (assertions.casualties) validateCasualties(assertions.casualties, knownParties, at('casualties'));

  if (assertions.occurred) validateInterval(assertions.occurred, at('occurred'));
  if (assertions.location) validatePlace(assertions.location, at('location'));
};

/** Casualty reports, of a claim or of an incident's toll: one per group, each side a registered party. */
export const validateCasualties = (reports: readonly CasualtyReport[], knownParties: ReadonlySet<string>, field: string): void => {
  const groups = new Set<string>();
  reports.forEach((report, i) => {
    const path = `${field}[${i}]`;
    // Since v2 "civilians" and "unknown" are categories of a group, not sides: a side is a registered party.
    if (report.side !== undefined) requireKnownParty(report.side, knownParties, `${path}.side`);
    if (report.category !== undefined && !(CASUALTY_CATEGORIES as readonly string[]).includes(report.category)) {
      refuse('invalid-casualty-category', `${path}.category must be one of ${CASUALTY_CATEGORIES.join(', ')}`, `${path}.category`);
    }
    if (report.nationality !== undefined && !NATIONALITY_PATTERN.test(report.nationality)) {
      refuse('invalid-nationality', `${path}.nationality must be an ISO 3166-1 alpha-2 code such as NL`, `${path}.nationality`);
    }
    // Read models compare casualties group by group; two reports for one group would be ambiguous.
    const group = casualtyGroupKey(report);
    if (groups.has(group)) {
      const field = report.side !== undefined && report.category === undefined && report.nationality === undefined ? `${path}.side` : path;
      refuse('duplicate-casualty-group', `more than one casualty report for ${group}`, field);
    }
    groups.add(group);
    if (report.killed) validateEstimate(report.killed, `${path}.killed`);
    if (report.wounded) validateEstimate(report.wounded, `${path}.wounded`);
    report.named?.forEach((person, j) => requireText(person.name, `${path}.named[${j}].name`));
  });
};

const MAX_TAGS = 20;

/** An ACLED event type (required in what is recorded today), a sub-event type of that type, and free tags. */
export const validateCategory = (category: IncidentCategory, field: string): void => {
  const { eventType, subEventType, tags } = category ?? ({} as IncidentCategory);
  if (eventType === undefined || !(ACLED_EVENT_TYPES as readonly string[]).includes(eventType)) {
    refuse('invalid-event-type', `${field}.eventType must be one of ACLED's event types: ${ACLED_EVENT_TYPES.join(', ')}`, `${field}.eventType`);
  }
  if (subEventType !== undefined && !ACLED_SUB_EVENT_TYPES_OF[eventType as AcledEventType].includes(subEventType)) {
    refuse('sub-event-type-mismatch', `${subEventType} is not a sub-event type of ${eventType}`, `${field}.subEventType`);
  }
  if (!Array.isArray(tags) || tags.length > MAX_TAGS) refuse('invalid-tags', `${field}.tags must be a list of at most ${MAX_TAGS} words`, `${field}.tags`);
  tags.forEach((tag, i) => requireText(tag, `${field}.tags[${i}]`));
};

/** A grade of the Admiralty system: reliability one of A to F (a capital letter), credibility a whole number 1 to 6 (not text). */
export const validateGrade = (grade: SourceGrade, prefix: string): void => {
  if (!(SOURCE_RELIABILITIES as readonly unknown[]).includes(grade.reliability)) {
    refuse('invalid-grade', `reliability must be one of ${SOURCE_RELIABILITIES.join(', ')}`, join(prefix, 'reliability'));
  }
  if (!(INFORMATION_CREDIBILITIES as readonly unknown[]).includes(grade.credibility)) {
    refuse('invalid-grade', `credibility must be a whole number from 1 to 6`, join(prefix, 'credibility'));
  }
};
