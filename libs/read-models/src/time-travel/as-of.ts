import { EntryRef, IncidentEvent, PointInTime, unhandled } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { statedBy } from './stated-time';

/**
 * A moment to look at the ledger from, on one of its clocks (never mixed):
 *
 * - recorded: as the ledger knew it then: every event whose `recordedAt`
 *   (server clock) is at or before `at`.
 * - stated: what the parties had said by then, as the ledger knows it now:
 *   every statement whose stated time certainly lies at or before `at`
 *   (see statedBy), however late the ledger recorded it. Details at
 *   envelopesAsOf.
 * - position: every event at or before this global log position.
 *
 * `at` is an ISO-8601 instant (a bare date is read as the end of that UTC
 * day, "as of 2019-06-01" meaning by the end of it; parseAsOf normalises to
 * the instant).
 */
export type AsOf =
  | { clock: 'recorded'; at: string }
  | { clock: 'stated'; at: string }
  | { clock: 'position'; position: bigint };

export type AsOfClock = AsOf['clock'];

export const AS_OF_CLOCKS: readonly AsOfClock[] = ['recorded', 'stated', 'position'];

/** AsOf as plain JSON (a position as a decimal string), for answers and documents. */
export type AsOfJson = { clock: 'recorded'; at: string } | { clock: 'stated'; at: string } | { clock: 'position'; position: string };

export const asOfToJson = (asOf: AsOf): AsOfJson =>
  asOf.clock === 'position' ? { clock: 'position', position: asOf.position.toString() } : { clock: asOf.clock, at: asOf.at };

/** A bad or ambiguous as-of input; `field` names the input at fault (the first of `fields` when several are). */
export class AsOfError extends Error {
  readonly fields: string[];
  constructor(
    readonly field: string,
    message: string,
    fields: string[] = [field],
  ) {
    super(message);
    this.name = 'AsOfError';
    this.fields = fields;
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

// The domain's timestamp grammar: a time of day must carry its offset, or the instant would depend on the server's zone.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const parseTimestamp = (value: string): number | undefined => {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls 2019-02-30 over into March; a wrong date must be refused, not moved.
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

/** Epoch ms of an as-of instant; a bare date is the last millisecond of that UTC day. Undefined when not a timestamp. */
export const cutInstant = (at: string): number | undefined => {
  const ms = parseTimestamp(at);
  if (ms === undefined) return undefined;
  return DATE_ONLY.test(at) ? ms + DAY_MS - 1 : ms;
};

const requireCut = (at: string, field: string): number => {
  const ms = cutInstant(at);
  if (ms === undefined) throw new AsOfError(field, `${field} must be an ISO-8601 date-time with offset (2019-06-03T09:00:00Z) or a date (2019-06-03)`);
  return ms;
};

const POSITION = /^\d+$/;

/** One as-of value on a known clock, e.g. a `from` or `to` bound; `field` is what an error names. */
export const parseAsOfValue = (clock: AsOfClock, value: string, field: string): AsOf => {
  if (clock === 'position') {
    if (typeof value !== 'string' || !POSITION.test(value)) throw new AsOfError(field, `${field} must be a global log position: a whole number, 0 or more`);
    return { clock, position: BigInt(value) };
  }
  if (typeof value !== 'string') throw new AsOfError(field, `${field} must be a single value`);
  return { clock, at: new Date(requireCut(value, field)).toISOString() };
};

export const parseClock = (value: string | undefined, field = 'clock'): AsOfClock => {
  if (value === undefined) return 'recorded';
  if (!(AS_OF_CLOCKS as readonly string[]).includes(value)) throw new AsOfError(field, `${field} must be one of ${AS_OF_CLOCKS.join(', ')}`);
  return value as AsOfClock;
};

/**
 * The as-of moment of a request: at most one of the three inputs, undefined
 * for none ("now"). Throws AsOfError naming the field at fault.
 */
export function parseAsOf(input: { recordedAsOf?: string; statedAsOf?: string; position?: string }): AsOf | undefined {
  const given = (
    [
      ['recordedAsOf', 'recorded'],
      ['statedAsOf', 'stated'],
      ['position', 'position'],
    ] as const
  ).filter(([field]) => input[field] !== undefined);
  if (given.length > 1) {
    const fields = given.map(([field]) => field);
    throw new AsOfError(fields[1], `give one of recordedAsOf, statedAsOf and position, not ${fields.join(' and ')}: each is a different clock`, fields);
  }
  if (given.length === 0) return undefined;
  const [field, clock] = given[0];
  return parseAsOfValue(clock, input[field]!, field);
}

/** -1, 0 or 1; throws AsOfError when the two moments are on different clocks, which do not compare. */
export const compareAsOf = (a: AsOf, b: AsOf, field = 'to'): number => {
  if (a.clock !== b.clock) throw new AsOfError(field, `both moments must be on the same clock (${a.clock} and ${b.clock} do not compare)`);
  if (a.clock === 'position' && b.clock === 'position') return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
  const [x, y] = [requireCut((a as { at: string }).at, 'from'), requireCut((b as { at: string }).at, 'to')];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Identifies a stated entry of an incident (the things EntryRef can name
 * that carry a stated time), so that a ledger amendment can be matched to
 * the entry it fixes. Ids are scoped by incident: that is where the domain
 * guarantees them unique.
 */
const entryKey = (incidentId: string, ref: EntryRef): string => {
  switch (ref.kind) {
    case 'incident':
      return `${incidentId}/incident`;
    case 'claim':
      return `${incidentId}/claim/${ref.claimId}/${ref.version}`;
    case 'denial':
      return `${incidentId}/denial/${ref.denialId}`;
    case 'retraction':
      return `${incidentId}/retraction/${ref.claimId}`;
  }
};

/** The entry an incident event states, with its stated time; undefined for bookkeeping events. */
const statedEntryOf = (event: IncidentEvent): { key: string; statedAt: PointInTime } | undefined => {
  const id = event.data.incidentId;
  switch (event.type) {
    case 'ClaimMade':
      return { key: entryKey(id, { kind: 'claim', claimId: event.data.claimId, version: 1 }), statedAt: event.data.statedAt };
    case 'ClaimCorrected':
      return { key: entryKey(id, { kind: 'claim', claimId: event.data.claimId, version: event.data.version }), statedAt: event.data.statedAt };
    case 'ClaimDenied':
      return { key: entryKey(id, { kind: 'denial', denialId: event.data.denialId }), statedAt: event.data.statedAt };
    case 'ClaimRetracted':
      return { key: entryKey(id, { kind: 'retraction', claimId: event.data.claimId }), statedAt: event.data.statedAt };
    case 'IncidentReported':
    case 'EntryAmended':
    case 'SourceGraded':
    case 'IncidentMergedInto':
    case 'IncidentsMerged':
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
      return undefined;
    default:
      return unhandled(event, 'incident event');
  }
};

/**
 * The stated clock's cut. Only statements carry a stated time, so:
 *
 * - A statement (ClaimMade, ClaimCorrected, ClaimDenied, ClaimRetracted) is
 *   in when its stated time, as the ledger now has it, certainly lies at or
 *   before the cut. "As the ledger now has it": a ledger amendment that fixes
 *   a mistyped statedAt moves the statement, wherever the amendment sits in
 *   the log, because the stated clock asks what the parties had said, and
 *   the amended date is the ledger's best knowledge of when they said it.
 * - An EntryAmended is a transcription fix, not a statement: it is in exactly
 *   when the entry it fixes is in, so a statement is always shown as
 *   correctly transcribed, never in its mistyped form.
 * - A SourceGraded is the ledger's assessment of a statement, not a statement: like an amendment, it is in exactly
 *   when the claim version it grades is in (graded as the ledger grades it now, whenever the grade was given).
 * - IncidentReported and PartyRegistered are the ledger's bookkeeping: they
 *   state nothing, have no stated time, and are always in (up to the end of
 *   the log given). The stated clock filters what parties said about an
 *   incident the ledger knows of; it does not make the incident disappear.
 *   An incident with nothing said by then is shown with no party versions.
 */
/** Merges and splits state nothing: like the report, they are the ledger's knowledge of which event an entry is about. */
const MOVES: ReadonlySet<string> = new Set(['IncidentMergedInto', 'IncidentsMerged', 'IncidentSplit', 'IncidentSplitFrom']);

const statedCut = (envelopes: LedgerEnvelope[], cut: number): LedgerEnvelope[] => {
  const statedAt = new Map<string, PointInTime>();
  for (const { event } of envelopes) {
    if (event.type === 'PartyRegistered') continue;
    const entry = statedEntryOf(event);
    if (entry) statedAt.set(entry.key, entry.statedAt);
    else if (event.type === 'EntryAmended' && event.data.changes.statedAt) {
      const key = entryKey(event.data.incidentId, event.data.entry);
      if (statedAt.has(key)) statedAt.set(key, event.data.changes.statedAt);
    }
  }
  const included = new Set([...statedAt].filter(([, at]) => statedBy(at, cut)).map(([key]) => key));
  return envelopes.filter(({ event }) => {
    if (event.type === 'PartyRegistered' || event.type === 'IncidentReported' || MOVES.has(event.type)) return true;
    if (event.type === 'EntryAmended') return event.data.entry.kind === 'incident' || included.has(entryKey(event.data.incidentId, event.data.entry));
    if (event.type === 'SourceGraded') {
      return included.has(entryKey(event.data.incidentId, { kind: 'claim', claimId: event.data.claimId, version: event.data.claimVersion }));
    }
    const entry = statedEntryOf(event);
    return entry !== undefined && included.has(entry.key);
  });
};

/**
 * The envelopes (in the global order given) that make up the ledger as of
 * `asOf`. Folding them with any projection answers the projection's
 * question for that moment with the code that answers it for the present.
 * Recorded and position cuts are prefixes of the log in practice (recorded
 * times follow the log order); the stated cut is not: a statement recorded
 * late may be in while an earlier-recorded one stated later is out.
 * Instants are compared as instants (offsets applied), not as text.
 */
export function envelopesAsOf(envelopes: Iterable<LedgerEnvelope>, asOf: AsOf): LedgerEnvelope[] {
  const all = [...envelopes];
  switch (asOf.clock) {
    case 'position':
      return all.filter((e) => e.position <= asOf.position);
    case 'recorded': {
      const cut = requireCut(asOf.at, 'recordedAsOf');
      return all.filter((e) => Date.parse(e.recordedAt) <= cut);
    }
    case 'stated':
      return statedCut(all, requireCut(asOf.at, 'statedAsOf'));
  }
}
