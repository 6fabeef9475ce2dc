import { DomainEvent } from '../shared/decider';
import { Estimate, Place, PointInTime, Source, Statement, TimeInterval } from '../shared/values';

/** The closed list of IncidentReported.v1, read from old events only (see categoryOfV1). */
export const INCIDENT_CATEGORIES_V1 = ['ceasefire-violation', 'armed-clash', 'shelling', 'airstrike', 'attack-on-civilians', 'explosion', 'other'] as const;
export type IncidentCategoryV1 = (typeof INCIDENT_CATEGORIES_V1)[number];

/**
 * ACLED's event types (codebook 2023/2024), as codes: battles = "Battles",
 * explosions-remote-violence = "Explosions/Remote violence", violence-against-civilians = "Violence against
 * civilians", protests = "Protests", riots = "Riots", strategic-developments = "Strategic developments".
 */
export const ACLED_EVENT_TYPES = ['battles', 'explosions-remote-violence', 'violence-against-civilians', 'protests', 'riots', 'strategic-developments'] as const;
export type AcledEventType = (typeof ACLED_EVENT_TYPES)[number];

/** ACLED's sub-event types, as codes of their labels ("Shelling/artillery/missile attack" = shelling-artillery-missile-attack). */
export const ACLED_SUB_EVENT_TYPES = [
  'government-regains-territory',
  'non-state-actor-overtakes-territory',
  'armed-clash',
  'chemical-weapon',
  'air-drone-strike',
  'suicide-bomb',
  'shelling-artillery-missile-attack',
  'remote-explosive-landmine-ied',
  'grenade',
  'sexual-violence',
  'attack',
  'abduction-forced-disappearance',
  'peaceful-protest',
  'protest-with-intervention',
  'excessive-force-against-protesters',
  'violent-demonstration',
  'mob-violence',
  'agreement',
  'arrests',
  'change-to-group-activity',
  'disrupted-weapons-use',
  'headquarters-or-base-established',
  'looting-property-destruction',
  'non-violent-transfer-of-territory',
  'other',
] as const;
export type AcledSubEventType = (typeof ACLED_SUB_EVENT_TYPES)[number];

/** Which event type each sub-event type belongs to, as ACLED nests them. */
export const ACLED_SUB_EVENT_TYPES_OF: Readonly<Record<AcledEventType, readonly AcledSubEventType[]>> = {
  battles: ['government-regains-territory', 'non-state-actor-overtakes-territory', 'armed-clash'],
  'explosions-remote-violence': ['chemical-weapon', 'air-drone-strike', 'suicide-bomb', 'shelling-artillery-missile-attack', 'remote-explosive-landmine-ied', 'grenade'],
  'violence-against-civilians': ['sexual-violence', 'attack', 'abduction-forced-disappearance'],
  protests: ['peaceful-protest', 'protest-with-intervention', 'excessive-force-against-protesters'],
  riots: ['violent-demonstration', 'mob-violence'],
  'strategic-developments': [
    'agreement',
    'arrests',
    'change-to-group-activity',
    'disrupted-weapons-use',
    'headquarters-or-base-established',
    'looting-property-destruction',
    'non-violent-transfer-of-territory',
    'other',
  ],
};

/**
 * What kind of event an incident is: ACLED's event type and sub-event type,
 * with free tags beside them for what the taxonomy does not say ("ceasefire
 * violation", "aircraft downing"). The event type is absent only in incidents
 * of v1 whose category has no ACLED counterpart (see categoryOfV1).
 */
export interface IncidentCategory {
  eventType?: AcledEventType;
  /** One of the event type's sub-event types. */
  subEventType?: AcledSubEventType;
  tags: string[];
}

/**
 * How a v1 category reads in v2. Where ACLED has the same thing it is taken (armed-clash, shelling, airstrike,
 * attack-on-civilians); where it has only the event type, the old word stays as a tag (explosion); where it has
 * none, the event type is left absent rather than guessed (ceasefire-violation, a tag; other, nothing).
 */
export const categoryOfV1 = (category: IncidentCategoryV1): IncidentCategory => {
  switch (category) {
    case 'armed-clash':
      return { eventType: 'battles', subEventType: 'armed-clash', tags: [] };
    case 'shelling':
      return { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] };
    case 'airstrike':
      return { eventType: 'explosions-remote-violence', subEventType: 'air-drone-strike', tags: [] };
    case 'attack-on-civilians':
      return { eventType: 'violence-against-civilians', subEventType: 'attack', tags: [] };
    case 'explosion':
      return { eventType: 'explosions-remote-violence', tags: ['explosion'] };
    case 'ceasefire-violation':
      return { tags: ['ceasefire-violation'] };
    default:
      return { tags: [] };
  }
};

/**
 * Casualty sides of v1 events that were no parties (since v2 they are categories). Registering a party with one of
 * these ids is still refused, so that no v1 casualty report can ever read as a party's.
 */
export const NON_PARTY_SIDES = ['civilians', 'unknown'] as const;

/** Who the dead or wounded were, as sources group them (UCDP's civilians / deaths of a side / unknown). */
export const CASUALTY_CATEGORIES = ['civilians', 'combatants', 'unknown'] as const;
export type CasualtyCategory = (typeof CASUALTY_CATEGORIES)[number];

/** ISO 3166-1 alpha-2, upper case: the nationality of a group of victims. */
export const NATIONALITY_PATTERN = /^[A-Z]{2}$/;

export const PERSON_STATUSES = ['killed', 'wounded', 'missing', 'captured'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

export interface NamedPerson {
  name: string;
  role?: string;
  status: PersonStatus;
}

/**
 * One group of casualties: whose people (a party's side), what kind (category)
 * and of which nationality; any of the three may be absent, none at all is an
 * unattributed count (passengers of no side). A claim has at most one report
 * per group (see casualtyGroupKey).
 */
export interface CasualtyReport {
  /** The party whose people these are; absent: attributed to no side. */
  side?: string;
  category?: CasualtyCategory;
  /** ISO 3166-1 alpha-2 code, e.g. "NL". */
  nationality?: string;
  killed?: Estimate;
  wounded?: Estimate;
  named?: NamedPerson[];
}

/** A casualty report of ClaimMade.v1 and the other v1 events: always a side, a party id or one of NON_PARTY_SIDES. */
export interface CasualtyReportV1 {
  /** A party id, or one of NON_PARTY_SIDES. */
  side: string;
  killed?: Estimate;
  wounded?: Estimate;
  named?: NamedPerson[];
}

/**
 * What a party asserts in structured form, so that versions can be compared
 * field by field. Every field is optional: a party asserts only what it says.
 */
export interface Assertions {
  responsibleParties?: string[];
  ceasefire?: { violated: boolean; by?: string[] };
  casualties?: CasualtyReport[];
  occurred?: TimeInterval;
  location?: Place;
}

/** Assertions as v1 events carry them (casualties always with a side). */
export interface AssertionsV1 extends Omit<Assertions, 'casualties'> {
  casualties?: CasualtyReportV1[];
}

export const ASSERTION_FIELDS = ['responsibleParties', 'ceasefire', 'casualties', 'occurred', 'location'] as const;
export type AssertionField = (typeof ASSERTION_FIELDS)[number];

export interface IncidentReportedData {
  incidentId: string;
  title: string;
  summary: string;
  occurred: TimeInterval;
  location: Place;
  category: IncidentCategory;
  /** The incident's toll as the ledger reports it, by casualty group; parties' own figures are claims. */
  toll?: CasualtyReport[];
}

/** IncidentReported.v1 as stored: a category from a closed list, no toll. */
export interface IncidentReportedV1Data extends Omit<IncidentReportedData, 'category' | 'toll'> {
  category: IncidentCategoryV1;
}

export interface ClaimMadeData {
  incidentId: string;
  claimId: string;
  partyId: string;
  statement: Statement;
  statedAt: PointInTime;
  source: Source;
  /** Claims of this incident that this claim answers (rebuts, responds to). */
  answers: string[];
  assertions: Assertions;
  /**
   * Earlier claims of the same party that this claim replaces: they stop standing (their history stays) for as long
   * as this claim is not retracted. Without it, a party's earlier claims stand beside the new one.
   */
  supersedes: string[];
}

/** ClaimMade.v2 as stored: no claim superseded another (every claim of a party stood beside the others). */
export type ClaimMadeV2Data = Omit<ClaimMadeData, 'supersedes'>;

/** ClaimDenied.v1 as stored: a denial that named no version of the claim it denies. */
export interface ClaimDeniedV1Data {
  incidentId: string;
  denialId: string;
  claimId: string;
  /** The claimant of the denied claim, copied so that readers need not look it up. */
  claimPartyId: string;
  /** The denying party. */
  partyId: string;
  statement: Statement;
  /** The assertions denied; empty means the claim as a whole. */
  deniedAssertions: AssertionField[];
  statedAt: PointInTime;
  source: Source;
}

/** ClaimDenied.v2 as stored: the denial names the version of the claim it denies. */
export interface ClaimDeniedData extends ClaimDeniedV1Data {
  /** The version of the claim denied (1 = as made); a later correction does not move the denial to the new version. */
  claimVersion: number;
}

/**
 * A ClaimDenied as readers receive it (registry upcast applied). A v1 denial,
 * upcast, has `claimVersion: null`: the stored data cannot say which version
 * it denied, so whoever folds the log binds it to the claim's version current
 * at that point of the log, the one the denier could have seen (see
 * boundClaimVersion).
 */
export interface ClaimDeniedEventData extends ClaimDeniedV1Data {
  claimVersion: number | null;
}

/** The version a denial addresses: its own, or for an upcast v1 denial the claim's version when the denial was recorded. */
export const boundClaimVersion = (data: ClaimDeniedEventData, currentVersionOfClaim: number | undefined): number =>
  data.claimVersion ?? currentVersionOfClaim ?? 1;

export interface ClaimCorrectedData {
  incidentId: string;
  claimId: string;
  partyId: string;
  /** The claim's version after this correction; ClaimMade is version 1. */
  version: number;
  statement?: Statement;
  /** Each assertion field present here replaces the claim's field of the same name. */
  assertions?: Assertions;
  reason: string;
  statedAt: PointInTime;
  source: Source;
}

export interface ClaimRetractedData {
  incidentId: string;
  claimId: string;
  partyId: string;
  reason: string;
  statement?: Statement;
  statedAt: PointInTime;
  source: Source;
}

/** Which earlier entry of the incident a ledger amendment fixes. */
export type EntryRef =
  | { kind: 'incident' }
  | { kind: 'claim'; claimId: string; version: number }
  | { kind: 'denial'; denialId: string }
  | { kind: 'retraction'; claimId: string };

/**
 * The corrected values of a mis-transcribed entry. Which keys are allowed
 * depends on the entry kind (see AMENDABLE_FIELDS).
 */
export interface EntryChanges {
  title?: string;
  summary?: string;
  occurred?: TimeInterval;
  location?: Place;
  category?: IncidentCategory;
  toll?: CasualtyReport[];
  statement?: Statement;
  statedAt?: PointInTime;
  source?: Source;
  /** As in a correction: each assertion field present replaces the entry's field of the same name. */
  assertions?: Assertions;
  /** Assertion fields the ledger recorded although the party never asserted them. */
  removedAssertions?: AssertionField[];
  deniedAssertions?: AssertionField[];
  /** The claim version a denial addresses (e.g. a v1 denial bound to the wrong version when it was upcast). */
  claimVersion?: number;
  reason?: string;
}

export const AMENDABLE_FIELDS: Record<EntryRef['kind'], ReadonlyArray<keyof EntryChanges>> = {
  incident: ['title', 'summary', 'occurred', 'location', 'category', 'toll'],
  claim: ['statement', 'statedAt', 'source', 'assertions', 'removedAssertions'],
  denial: ['statement', 'statedAt', 'source', 'deniedAssertions', 'claimVersion'],
  retraction: ['statement', 'statedAt', 'source', 'reason'],
};

export interface EntryAmendedData {
  incidentId: string;
  amendmentId: string;
  entry: EntryRef;
  changes: EntryChanges;
  reason: string;
}

/** ClaimMade.v1 as stored: casualties always name a side. */
export interface ClaimMadeV1Data extends Omit<ClaimMadeV2Data, 'assertions'> {
  assertions: AssertionsV1;
}

/** ClaimCorrected.v1 as stored. */
export interface ClaimCorrectedV1Data extends Omit<ClaimCorrectedData, 'assertions'> {
  /** Each assertion field present here replaces the claim's field of the same name. */
  assertions?: AssertionsV1;
}

/** The changes of EntryAmended.v1: v1 assertions, and no denial re-binding (claimVersion came with v2). */
export interface EntryChangesV1 extends Omit<EntryChanges, 'assertions' | 'claimVersion' | 'category' | 'toll'> {
  category?: IncidentCategoryV1;
  /** As in a correction: each assertion field present replaces the entry's field of the same name. */
  assertions?: AssertionsV1;
}

/** EntryAmended.v1 as stored. */
export interface EntryAmendedV1Data extends Omit<EntryAmendedData, 'changes'> {
  changes: EntryChangesV1;
}

/**
 * The Admiralty (NATO) system, as intelligence and OSINT analysts grade what they read: the source's reliability,
 * A (completely reliable), B (usually reliable), C (fairly reliable), D (not usually reliable), E (unreliable),
 * F (reliability cannot be judged); and the information's credibility, 1 (confirmed by other sources), 2 (probably
 * true), 3 (possibly true), 4 (doubtful), 5 (improbable), 6 (truth cannot be judged). Each scale is listed best first:
 * a minimum grade of B admits A and B; F and 6, "cannot be judged", meet only a minimum of F or 6.
 */
export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number];
export const INFORMATION_CREDIBILITIES = [1, 2, 3, 4, 5, 6] as const;
export type InformationCredibility = (typeof INFORMATION_CREDIBILITIES)[number];

/** A grade in the Admiralty system, e.g. B2: reliability of the source, credibility of the information. */
export interface SourceGrade {
  reliability: SourceReliability;
  credibility: InformationCredibility;
}

/**
 * A recorder grades one version of a claim: the source that version rests on (reliability) and what it says
 * (credibility). Each version has its own source, so a correction starts ungraded; regrading is another event.
 */
export interface SourceGradedData extends SourceGrade {
  incidentId: string;
  claimId: string;
  /** The claim version graded (1 = as made). */
  claimVersion: number;
  /** Why this grade; required when the version was graded before (a regrade says why it changed). */
  reason?: string;
  /** The principal who graded it. */
  gradedBy: string;
  /** When the ledger recorded the grade (server clock, ISO-8601 UTC). */
  gradedAt: string;
}

/**
 * On the absorbed incident's stream: it is the same event as the survivor.
 * The commit point of a merge (see MergeInto): from here the absorbed
 * incident takes no new claims, and every entry it holds counts in the
 * survivor.
 */
export interface IncidentMergedIntoData {
  incidentId: string;
  survivorId: string;
  /** The merge's id, shared with the survivor's IncidentsMerged (derived from the Idempotency-Key when one is sent). */
  mergeId: string;
  reason: string;
}

/** On the survivor's stream: it absorbed another incident, whose IncidentMergedInto stands at `absorbedRevision`. */
export interface IncidentsMergedData {
  incidentId: string;
  absorbedId: string;
  mergeId: string;
  /** Revision of the absorbed stream's IncidentMergedInto (decimal: revisions are 64-bit). */
  absorbedRevision: string;
  reason: string;
}

/** On the source incident's stream: the chosen claims are about another event, now its own incident. The commit point of a split. */
export interface IncidentSplitData {
  incidentId: string;
  newIncidentId: string;
  /** The split's id, shared with the new incident's IncidentSplitFrom. */
  splitId: string;
  /** Claims recorded under this incident that count from now on in the new one (their entries stay in this stream). */
  claimIds: string[];
  reason: string;
}

/** On the new incident's stream, after its IncidentReported: where its first claims came from. */
export interface IncidentSplitFromData {
  incidentId: string;
  sourceId: string;
  splitId: string;
  claimIds: string[];
  /** Revision of the source stream's IncidentSplit (decimal). */
  sourceRevision: string;
  reason: string;
}

export type IncidentReported = DomainEvent<'IncidentReported', IncidentReportedData>;
export type ClaimMade = DomainEvent<'ClaimMade', ClaimMadeData>;
export type ClaimDenied = DomainEvent<'ClaimDenied', ClaimDeniedEventData>;
export type ClaimCorrected = DomainEvent<'ClaimCorrected', ClaimCorrectedData>;
export type ClaimRetracted = DomainEvent<'ClaimRetracted', ClaimRetractedData>;
export type EntryAmended = DomainEvent<'EntryAmended', EntryAmendedData>;
export type SourceGraded = DomainEvent<'SourceGraded', SourceGradedData>;

export type IncidentMergedInto = DomainEvent<'IncidentMergedInto', IncidentMergedIntoData>;
export type IncidentsMerged = DomainEvent<'IncidentsMerged', IncidentsMergedData>;
export type IncidentSplit = DomainEvent<'IncidentSplit', IncidentSplitData>;
export type IncidentSplitFrom = DomainEvent<'IncidentSplitFrom', IncidentSplitFromData>;

export type IncidentEvent =
  | IncidentReported
  | ClaimMade
  | ClaimDenied
  | ClaimCorrected
  | ClaimRetracted
  | EntryAmended
  | SourceGraded
  | IncidentMergedInto
  | IncidentsMerged
  | IncidentSplit
  | IncidentSplitFrom;
