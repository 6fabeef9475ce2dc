import {
  AssertionsV1,
  CasualtyCategory,
  CasualtyReport,
  CasualtyReportV1,
  IncidentCategoryV1,
  IncidentEvent,
  NON_PARTY_SIDES,
  categoryOfV1,
} from './incidents/incident.events';
import { PartyEvent } from './parties/party.events';

export type LedgerEvent = IncidentEvent | PartyEvent;
export type LedgerEventType = LedgerEvent['type'];

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * v1 casualty reports always named a side, and two of the "sides" were no parties: `civilians` and `unknown`.
 * In v2 they are what they meant, a category of victims attributed to no side; a party's side stays as it was.
 */
export const casualtyReportV2 = (report: CasualtyReportV1): CasualtyReport => {
  if (report === null || typeof report !== 'object') return report;
  const { side, ...rest } = report;
  return (NON_PARTY_SIDES as readonly string[]).includes(side) ? { category: side as CasualtyCategory, ...rest } : report;
};

/** A v1 category (a word of the closed list) as v2 reads it: see categoryOfV1. */
const withCategoryV2 = (data: Record<string, unknown>): Record<string, unknown> =>
  typeof data.category === 'string' ? { ...data, category: categoryOfV1(data.category as IncidentCategoryV1) } : data;

// Stored data is read as it is, malformed or not (the feed's filters read every event): only a list is upcast.
const withAssertionsV2 = (data: Record<string, unknown>, key: string): Record<string, unknown> => {
  const assertions = data[key] as AssertionsV1 | undefined;
  if (!Array.isArray(assertions?.casualties)) return data;
  return { ...data, [key]: { ...assertions, casualties: assertions.casualties.map(casualtyReportV2) } };
};

interface EventTypeEntry {
  /** The version written today. */
  current: number;
  /** upcasters[n] turns data of version n into data of version n + 1. */
  upcasters: Record<number, Upcaster>;
}

/**
 * The one registry of stored event names. A stored name is `<Type>.v<N>`,
 * written explicitly here and never derived from a class name, so renaming
 * code can never orphan stored events.
 */
export const EVENT_TYPES: Readonly<Record<LedgerEventType, EventTypeEntry>> = {
  PartyRegistered: {
    current: 2,
    // v2 added kinds and an optional description: a v1 payload is a v2 payload as it stands.
    upcasters: { 1: (data) => data },
  },
  IncidentReported: { current: 2, upcasters: { 1: (data) => withCategoryV2(data) } },
  ClaimMade: {
    current: 3,
    upcasters: {
      1: (data) => withAssertionsV2(data, 'assertions'),
      // v3 added `supersedes`: before it no claim replaced another, so every v2 claim stood beside the party's others.
      2: (data) => ({ ...data, supersedes: [] }),
    },
  },
  ClaimDenied: {
    current: 2,
    upcasters: {
      // v1 named no claim version, and the data alone cannot tell which one was denied: null marks it unbound, and
      // evolve and the read models bind it to the claim's version current at that point of the log (boundClaimVersion).
      1: (data) => ({ ...data, claimVersion: null }),
    },
  },
  ClaimCorrected: { current: 2, upcasters: { 1: (data) => withAssertionsV2(data, 'assertions') } },
  ClaimRetracted: { current: 1, upcasters: {} },
  SourceGraded: { current: 1, upcasters: {} },
  IncidentMergedInto: { current: 1, upcasters: {} },
  IncidentsMerged: { current: 1, upcasters: {} },
  IncidentSplit: { current: 1, upcasters: {} },
  IncidentSplitFrom: { current: 1, upcasters: {} },
  EntryAmended: {
    current: 2,
    upcasters: { 1: (data) => ({ ...data, changes: withCategoryV2(withAssertionsV2((data.changes ?? {}) as Record<string, unknown>, 'assertions')) }) },
  },
};

const STORED_NAME = /^([A-Z][A-Za-z]+)\.v([1-9][0-9]*)$/;

export class UnknownEventTypeError extends Error {
  constructor(readonly storedType: string) {
    super(`No registry entry for stored event type "${storedType}"`);
    this.name = 'UnknownEventTypeError';
  }
}

export const isLedgerEventType = (type: string): type is LedgerEventType =>
  Object.prototype.hasOwnProperty.call(EVENT_TYPES, type);

/** The name under which an event of this type is stored today. */
export const storedTypeOf = (type: LedgerEventType): string => `${type}.v${EVENT_TYPES[type].current}`;

/** Every stored name the ledger can read, all versions included. */
export const knownStoredTypes = (): string[] =>
  (Object.keys(EVENT_TYPES) as LedgerEventType[]).flatMap((type) =>
    Array.from({ length: EVENT_TYPES[type].current }, (_, i) => `${type}.v${i + 1}`),
  );

export const parseStoredType = (storedType: string): { type: LedgerEventType; version: number } | undefined => {
  const m = STORED_NAME.exec(storedType);
  if (!m || !isLedgerEventType(m[1])) return undefined;
  const version = Number(m[2]);
  if (version > EVENT_TYPES[m[1]].current) return undefined;
  return { type: m[1], version };
};

/** Reads a stored event into today's domain shape, upcasting old versions. */
export const fromStored = (storedType: string, data: unknown): LedgerEvent => {
  const parsed = parseStoredType(storedType);
  if (!parsed) throw new UnknownEventTypeError(storedType);
  const entry = EVENT_TYPES[parsed.type];
  let upcast = data as Record<string, unknown>;
  for (let v = parsed.version; v < entry.current; v++) {
    const up = entry.upcasters[v];
    if (!up) throw new UnknownEventTypeError(storedType);
    upcast = up(upcast);
  }
  return { type: parsed.type, data: upcast } as unknown as LedgerEvent;
};

export const toStored = (event: LedgerEvent): { type: string; data: unknown } => ({
  type: storedTypeOf(event.type),
  data: event.data,
});
