import type {
  AssertionField,
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryChanges,
  EntryRef,
  IncidentReportedData,
  PartyKind,
  PartyRegisteredData,
  PointInTime,
  Source,
  SourceReliability,
  InformationCredibility,
  Statement,
  Assertions,
} from '@ledger/domain';
import type { DisagreementKind, DisagreementPosition } from '../disagreements';
import type { FieldChange } from '../field-diff';
import { ColumnSpec, TableSpec } from './table-spec';

/**
 * The ledger's read models as relational tables. Each event changes a
 * bounded number of rows, whatever the size of the incident or of the
 * party's record; API answers are assembled from these rows at query time.
 *
 * Conventions: ids are the ledger's (incident and claim ids are UUIDs,
 * party ids slugs); `position` columns are global log positions (64-bit
 * integers); times recorded by the ledger are ISO-8601 UTC text; a party's
 * stated time is JSON `{at, precision}`; `*_json`-typed columns hold JSON
 * text (statements, sources, assertions, lists). `data` columns hold the
 * entry as its event stated it with every ledger amendment applied.
 */

const text = (description: string): ColumnSpec => ({ type: 'text', description });
const textOrNull = (description: string): ColumnSpec => ({ type: 'text', nullable: true, description });
const integer = (description: string): ColumnSpec => ({ type: 'integer', description });
const integerOrNull = (description: string): ColumnSpec => ({ type: 'integer', nullable: true, description });
const position = (description: string): ColumnSpec => ({ type: 'position', description });
const boolean = (description: string): ColumnSpec => ({ type: 'boolean', description });
const json = (description: string): ColumnSpec => ({ type: 'json', description });
const jsonOrNull = (description: string): ColumnSpec => ({ type: 'json', nullable: true, description });

/** Who recorded an entry and where it sits in the log: every entry row carries it. */
export interface RecordedRow {
  eventId: string;
  recordedAt: string;
  recordedBy: string;
  position: bigint;
}

const recorded = {
  eventId: text('id of the event that recorded the entry'),
  recordedAt: text('when the ledger recorded it (server clock, ISO-8601 UTC)'),
  recordedBy: text('the principal who recorded it'),
  position: position('global log position of the event that recorded it'),
} as const;

/** How much has been said about an incident, by kind of entry. */
export interface IncidentCounts {
  claims: number;
  /** Claims not retracted. */
  activeClaims: number;
  denials: number;
  corrections: number;
  retractions: number;
  /** Ledger amendments of any entry of the incident. */
  amendments: number;
}

export interface IncidentRow extends IncidentCounts {
  incidentId: string;
  /** False while the log has entries of the incident but not its report (a time-travel cut). */
  reported: boolean;
  data: IncidentReportedData | null;
  title: string | null;
  summary: string | null;
  /** The ACLED event type (null: not reported, or a v1 category with no ACLED counterpart). */
  category: string | null;
  subEventType: string | null;
  tags: string[];
  /** Sum of the toll's best killed figures over its groups; null: no toll given, or no killed figure in it. */
  tollKilled: number | null;
  /** Occurrence interval as UTC instants (date-only bounds widened to whole days), for filters and ordering. */
  occurredStart: string | null;
  occurredEnd: string | null;
  locationName: string | null;
  reportedAt: string | null;
  reportedBy: string | null;
  reportedPosition: bigint | null;
  amendedBy: string[];
  disagreements: number;
  contested: boolean;
  /** Keys of the disagreements rows on points of the accounts, by kind: which points are disputed now. */
  disputedPoints: Partial<Record<string, string[]>>;
  lastRecordedAt: string;
  lastPosition: bigint;
  revision: bigint;
  /** The incident this one was merged into (IncidentMergedInto): its entries count there now. */
  mergedInto: string | null;
}

export const incidentsTable: TableSpec<IncidentRow> = {
  name: 'incidents',
  question: 'Which incidents does the ledger hold, and how contested is each?',
  columns: {
    incidentId: text('incident id'),
    reported: boolean('the incident report is recorded'),
    data: jsonOrNull('the incident report as recorded, ledger amendments applied'),
    title: textOrNull('title'),
    summary: textOrNull('summary'),
    category: textOrNull(
      'ACLED event type: battles, explosions-remote-violence, violence-against-civilians, protests, riots, strategic-developments (null: not coded, e.g. a v1 "ceasefire-violation")',
    ),
    subEventType: textOrNull('ACLED sub-event type, e.g. armed-clash, shelling-artillery-missile-attack, air-drone-strike'),
    tags: json('free tags beside the taxonomy (JSON array), e.g. ["ceasefire-violation"]'),
    tollKilled: { type: 'integer', nullable: true, description: 'the incident’s toll: best killed figures summed over its casualty groups (the groups are in data.toll)' },
    occurredStart: textOrNull('start of the occurrence interval, UTC instant'),
    occurredEnd: textOrNull('end of the occurrence interval, UTC instant'),
    locationName: textOrNull('place name'),
    reportedAt: textOrNull('when the ledger recorded the report'),
    reportedBy: textOrNull('who recorded the report'),
    reportedPosition: { type: 'position', nullable: true, description: 'log position of the report' },
    amendedBy: json('ids of ledger amendments of the report (JSON array)'),
    claims: integer('claims made'),
    activeClaims: integer('claims not retracted'),
    denials: integer('denials'),
    corrections: integer('corrections by claimants'),
    retractions: integer('retractions'),
    amendments: integer('ledger amendments of any entry of the incident'),
    disagreements: integer('points of disagreement now (rows of disagreements)'),
    contested: boolean('at least one point of disagreement'),
    disputedPoints: json('keys of the disputed points of the accounts by kind, e.g. {"casualties": ["casualties[side=armenia].killed", "casualties[category=civilians,nationality=NL].killed"]}'),
    lastRecordedAt: text('recorded time of the incident stream’s last event'),
    lastPosition: position('log position of the incident stream’s last event'),
    revision: position('revision of the incident stream’s last event (the ETag)'),
    mergedInto: textOrNull('the survivor this incident was merged into (its claims and denials count there now; follow the survivor’s own merged_into for chains); null: not merged'),
  },
  primaryKey: ['incidentId'],
  indexes: [
    // In the list's order (latest first, ties by id), so that a page is read off the index: ordered by occurrence alone,
    // every incident of one day had to be sorted by id for each page, and a list of 2,000 of one day took 5 ms.
    { name: 'incidents_latest_first', columns: ['occurredStart', 'incidentId'], descending: ['occurredStart'] },
    { name: 'incidents_by_category', columns: ['category', 'occurredStart', 'incidentId'], descending: ['occurredStart'] },
    // The statistics count whole days from incidents_by_day and read only a bound's part of a day here, by this clock
    // too: with a category asked, SQLite took the category's index alone and read every incident of it.
    { name: 'incidents_by_recorded', columns: ['reportedAt'] },
    { name: 'incidents_by_category_recorded', columns: ['category', 'reportedAt'] },
  ],
};

/** The incident clocks a day of `incidents_by_day` is taken from, and the incidents column each reads. */
export const INCIDENT_DAY_CLOCKS = { occurred: 'occurredStart', recorded: 'reportedAt' } as const satisfies Record<string, keyof IncidentRow>;
export type IncidentDayClock = keyof typeof INCIDENT_DAY_CLOCKS;

/** Category of an incident not coded, as a key: keys are never null. */
export const UNCODED_CATEGORY = '';

export interface IncidentsByDayRow {
  clock: IncidentDayClock;
  day: string;
  category: string;
  incidents: number;
  contested: number;
}

export const incidentsByDayTable: TableSpec<IncidentsByDayRow> = {
  name: 'incidents_by_day',
  question: 'How many reported incidents happened, or were recorded, on each day, in each category, and how many of them are contested?',
  columns: {
    clock: text("which day: 'occurred' (the day of incidents.occurred_start) or 'recorded' (of incidents.reported_at)"),
    day: text('the UTC day, YYYY-MM-DD (the first 10 characters of the instant)'),
    category: text("incidents.category ('' for an incident not coded)"),
    incidents: integer('reported incidents of that day and category (rows with none are deleted)'),
    contested: integer('those of them contested now (incidents.contested)'),
  },
  primaryKey: ['clock', 'day', 'category'],
  withoutRowid: true,
};

export interface IncidentPartyRow {
  incidentId: string;
  partyId: string;
  /** Log position of the party's first entry in the incident: orders the parties of an incident. */
  firstPosition: bigint;
}

export const incidentPartiesTable: TableSpec<IncidentPartyRow> = {
  name: 'incident_parties',
  question: 'Which parties have spoken about which incident (made or denied a claim), and since when?',
  columns: {
    incidentId: text('incident id'),
    partyId: text('party id'),
    firstPosition: position('log position of the party’s first claim or denial in the incident'),
  },
  primaryKey: ['incidentId', 'partyId'],
  withoutRowid: true,
  indexes: [
    { name: 'incident_parties_in_order', columns: ['incidentId', 'firstPosition'] },
    { name: 'incident_parties_by_party', columns: ['partyId', 'firstPosition'] },
  ],
};

/** A retraction as kept in its claim's row: the event data (amendments applied) and its recording facts. */
export interface StoredRetraction {
  data: ClaimRetractedData;
  amendedBy: string[];
  eventId: string;
  recordedAt: string;
  recordedBy: string;
  /** Decimal string: the value is JSON. */
  position: string;
}

export interface ClaimRow extends RecordedRow {
  incidentId: string;
  claimId: string;
  partyId: string;
  version: number;
  /** The version the current statement comes from (the latest that restated the words). */
  statementVersion: number;
  statedAt: PointInTime;
  /** Epoch ms of the start of statedAt: the order a party's claims supersede each other in. */
  statedOrder: number;
  firstStatedAt: PointInTime;
  assertions: Assertions;
  answers: string[];
  /** Earlier claims of the party this claim replaces (ClaimMade.v3). */
  supersedes: string[];
  /** Claims not retracted that supersede this one: while any is, the claim no longer stands. */
  supersededBy: string[];
  retracted: boolean;
  retraction: StoredRetraction | null;
  retractionPosition: bigint | null;
  /** Denials received. */
  denials: number;
  /** Denials addressing the current version (0: the current version has not been denied, whatever earlier ones were). */
  currentVersionDenials: number;
  /** Position of the latest version: breaks ties between claims stated at the same time. */
  versionPosition: bigint;
  /** Position of the last event that touched the claim (a version, denial, retraction or amendment). */
  lastPosition: bigint;
  /** The current version's grade (Admiralty system); null while it is ungraded (a correction starts ungraded). */
  reliability: SourceReliability | null;
  credibility: InformationCredibility | null;
}

export const claimsTable: TableSpec<ClaimRow> = {
  name: 'claims',
  question: 'What does each claim assert now (the claimant’s corrections and the ledger’s amendments applied)?',
  columns: {
    incidentId: text('incident id'),
    claimId: text('claim id'),
    partyId: text('the claimant'),
    version: integer('current version (1 = as made); its claim_versions row (same incident_id, claim_id, version) holds the current words and source'),
    statementVersion: integer('version the current words come from'),
    statedAt: json('when the current version was stated {at, precision}'),
    statedOrder: integer('start of statedAt as epoch milliseconds'),
    firstStatedAt: json('when the claim was first made {at, precision}'),
    assertions: json('current structured assertions'),
    answers: json('ids of claims this claim answers (JSON array)'),
    supersedes: json('ids of earlier claims of the same party this claim replaces (JSON array)'),
    supersededBy: json('ids of claims, not retracted, that replace this one (JSON array); while it is not empty the claim no longer stands, its history stays'),
    retracted: boolean('withdrawn by the claimant'),
    retraction: jsonOrNull('the retraction as recorded, amendments applied'),
    retractionPosition: { type: 'position', nullable: true, description: 'log position of the retraction' },
    denials: integer('denials received'),
    currentVersionDenials: integer('denials addressing the current version (0: the current version has not been denied; denials of earlier versions do not count)'),
    versionPosition: position('log position of the current version'),
    lastPosition: position('log position of the last event touching the claim'),
    reliability: textOrNull('the current version’s source reliability, A (completely reliable) to F (cannot be judged); null: not graded'),
    credibility: integerOrNull('the current version’s information credibility, 1 (confirmed) to 6 (cannot be judged); null: not graded'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'claimId'],
  indexes: [
    { name: 'claims_in_order', columns: ['incidentId', 'position'] },
    { name: 'claims_by_party', columns: ['partyId', 'incidentId', 'position'] },
  ],
};

export interface ClaimVersionRow extends RecordedRow {
  incidentId: string;
  claimId: string;
  version: number;
  partyId: string;
  kind: 'made' | 'corrected';
  /** The version stated the words (always for version 1; a correction may leave them as they were). */
  restated: boolean;
  /** What a correction itself asserted (it replaces only those fields); null for version 1, whose assertions are `assertions`. */
  statedAssertions: Assertions | null;
  /** The claim as it read at this version: every earlier version folded in. */
  statement: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
  reason: string | null;
  /** Field-level changes from the previous version (empty for version 1). */
  changes: FieldChange[];
  amendedBy: string[];
  /** Denials addressing this version. */
  denials: number;
  /** The version's latest grade and who gave it when; null while ungraded. Every grade given is a source_grades row. */
  reliability: SourceReliability | null;
  credibility: InformationCredibility | null;
  gradedBy: string | null;
  gradedAt: string | null;
  /** How many times the version was graded (regrades included). */
  gradings: number;
}

export const claimVersionsTable: TableSpec<ClaimVersionRow> = {
  name: 'claim_versions',
  question: 'How did each claim change, version by version?',
  columns: {
    incidentId: text('incident id'),
    claimId: text('claim id'),
    version: integer('version (1 = as made, then one per correction)'),
    partyId: text('the claimant'),
    kind: text("'made' or 'corrected'"),
    restated: boolean('this version stated the words (a correction may keep the earlier ones)'),
    statedAssertions: jsonOrNull('what a correction itself asserted (the fields it replaced); null for version 1'),
    statement: json('the claim’s words at this version'),
    assertions: json('the claim’s assertions at this version'),
    statedAt: json('when this version was stated'),
    source: json('source of this version'),
    reason: textOrNull('the claimant’s reason for a correction'),
    changes: json('field-level changes from the previous version [{path, from, to}]'),
    amendedBy: json('ids of ledger amendments of this version'),
    denials: integer('denials addressing this version (the denials rows with the same incident_id, claim_id and claim_version)'),
    reliability: textOrNull('latest grade of the source’s reliability, A to F (Admiralty system); null: not graded'),
    credibility: integerOrNull('latest grade of the information’s credibility, 1 to 6; null: not graded'),
    gradedBy: textOrNull('who gave the latest grade'),
    gradedAt: textOrNull('when the ledger recorded the latest grade'),
    gradings: integer('grades given to this version, regrades included (its source_grades rows)'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'claimId', 'version'],
  indexes: [{ name: 'claim_versions_by_party', columns: ['partyId', 'incidentId', 'position'] }],
};

export interface SourceGradeRow extends RecordedRow {
  incidentId: string;
  claimId: string;
  claimVersion: number;
  /** The claimant. */
  partyId: string;
  reliability: SourceReliability;
  credibility: InformationCredibility;
  /** The grade this one replaced (null: the first grade of the version). */
  previousReliability: SourceReliability | null;
  previousCredibility: InformationCredibility | null;
  reason: string | null;
  gradedBy: string;
  gradedAt: string;
}

export const sourceGradesTable: TableSpec<SourceGradeRow> = {
  name: 'source_grades',
  question: 'Who graded which claim version’s source and information, when, how and why (every grade, regrades included)?',
  columns: {
    incidentId: text('incident id'),
    claimId: text('claim id'),
    claimVersion: integer('the claim version graded (its claim_versions row)'),
    partyId: text('the claimant'),
    reliability: text('source reliability: A completely reliable, B usually reliable, C fairly reliable, D not usually reliable, E unreliable, F cannot be judged'),
    credibility: integer('information credibility: 1 confirmed, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged'),
    previousReliability: textOrNull('the reliability this grade replaced (null: first grade of the version)'),
    previousCredibility: integerOrNull('the credibility this grade replaced'),
    reason: textOrNull('the grader’s reason (always given for a regrade)'),
    gradedBy: text('the principal who graded'),
    gradedAt: text('when the ledger recorded the grade'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'claimId', 'position'],
  withoutRowid: true,
};

export interface DenialRow extends RecordedRow {
  incidentId: string;
  denialId: string;
  claimId: string;
  /** The denying party. */
  partyId: string;
  claimPartyId: string;
  /** The claim version denied; a ClaimDenied.v1 is bound to the claim's version current when it was recorded. */
  claimVersion: number;
  deniedAssertions: AssertionField[];
  statement: Statement;
  statedAt: PointInTime;
  source: Source;
  amendedBy: string[];
}

export const denialsTable: TableSpec<DenialRow> = {
  name: 'denials',
  question: 'Who denies which claim, and which of its assertions?',
  columns: {
    incidentId: text('incident id'),
    denialId: text('denial id'),
    claimId: text('the denied claim'),
    partyId: text('the denying party'),
    claimPartyId: text('the claimant of the denied claim'),
    claimVersion: integer('the claim version denied (its claim_versions row); a denial recorded before denials named a version (ClaimDenied.v1) addresses the version current when it was recorded'),
    deniedAssertions: json('assertion fields denied (JSON array; empty: the whole claim)'),
    statement: json('the denier’s words'),
    statedAt: json('when the denial was stated'),
    source: json('source'),
    amendedBy: json('ids of ledger amendments of the denial'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'denialId'],
  indexes: [
    { name: 'denials_in_order', columns: ['incidentId', 'position'] },
    { name: 'denials_of_claim', columns: ['incidentId', 'claimId', 'position'] },
    { name: 'denials_by_party', columns: ['partyId', 'incidentId', 'position'] },
    { name: 'denials_received', columns: ['claimPartyId', 'incidentId', 'position'] },
  ],
};

/** A standing claim behind one part of a party's position: a member of a set, a casualty group, or the whole value. */
export interface ClaimFieldRow {
  incidentId: string;
  partyId: string;
  field: AssertionField;
  /** See PositionPart.part. */
  part: string;
  claimId: string;
  /** The claim's current version. */
  version: number;
  statedAt: PointInTime;
  statedOrder: number;
  versionPosition: bigint;
  /** The claim's value of the part. */
  value: unknown;
}

export const claimFieldsTable: TableSpec<ClaimFieldRow> = {
  name: 'claim_fields',
  question: 'Which standing claims (not retracted, not superseded) of a party assert which part of which point? (the claims behind each position)',
  columns: {
    incidentId: text('incident id'),
    partyId: text('the claimant'),
    field: text('assertion field: responsibleParties, ceasefire, casualties, occurred, location'),
    part: text(
      'the part of the point: a party named (responsibleParties: its id; ceasefire: by=<id>), ceasefire: violated, casualties: the casualty group key (side=armenia, category=civilians,nationality=NL, unattributed), occurred and location: empty; a list asserted empty (responsibleParties, casualties): empty',
    ),
    claimId: text('claim id'),
    version: integer('the claim’s current version'),
    statedAt: json('when the claim’s current version was stated'),
    statedOrder: integer('start of the claim’s current stated time, epoch ms'),
    versionPosition: position('log position of the claim’s current version'),
    value: jsonOrNull('the claim’s value of the part (null for the part "" of a list asserted empty: named nobody, no casualties)'),
  },
  // Keyed in the order a part's value is chosen in, so the latest standing claim is one seek and the table is its own index.
  primaryKey: ['incidentId', 'partyId', 'field', 'part', 'statedOrder', 'versionPosition', 'claimId'],
  withoutRowid: true,
};

export interface PositionValueRow {
  incidentId: string;
  partyId: string;
  field: AssertionField;
  part: string;
  /** Canonical JSON of the value. */
  valueKey: string;
  /** Standing claims of the party holding this value of the part. */
  claims: number;
}

export const positionValuesTable: TableSpec<PositionValueRow> = {
  name: 'position_values',
  question: 'Which different values do a party’s standing claims give for one part of a point? (two or more: the party’s claims conflict)',
  columns: {
    incidentId: text('incident id'),
    partyId: text('the claimant'),
    field: text('assertion field (only parts holding one value: ceasefire violated, casualty groups, occurred, location)'),
    part: text('the part of the point, as in claim_fields'),
    valueKey: text('the value as canonical JSON'),
    claims: integer('standing claims of the party holding this value'),
  },
  primaryKey: ['incidentId', 'partyId', 'field', 'part', 'valueKey'],
  withoutRowid: true,
};

/**
 * One part of a party's position on a point: a party it names (responsible parties, ceasefire violators: the
 * position is their union), a casualty group, whether a ceasefire was violated, or the whole value of a point
 * holding one (when, where). Its value is that of the standing claim stated latest that holds the part.
 */
export interface PositionPart {
  /** responsibleParties: the party id; ceasefire: `violated` or `by=<party id>`; casualties: the group key; occurred, location: ''. */
  part: string;
  value: unknown;
  /** The standing claim stated latest that holds the part, and its current version. */
  claimId: string;
  version: number;
  statedAt: PointInTime;
  statedOrder: number;
  /** Log position of that claim's current version, as a decimal string (the value is JSON). */
  versionPosition: string;
  /** Standing claims of the party behind the part (claim_fields lists them with their versions). */
  claims: number;
  /** Different values those claims give for the part (rows of position_values; members of a set: 0). */
  values: number;
  /** Standing claims of the party give different values for the part (position_values lists them). */
  conflict: boolean;
}

export interface PartyPositionRow {
  incidentId: string;
  partyId: string;
  field: AssertionField;
  /** The standing claim stated latest behind the position. */
  claimId: string;
  value: unknown;
  statedAt: PointInTime;
  statedOrder: number;
  versionPosition: bigint;
  /** The position part by part, in part order, each with the claim it is taken from. */
  parts: PositionPart[];
  /** Standing claims of the party asserting the point. */
  claims: number;
  /** Some part's standing claims conflict. */
  conflict: boolean;
  /** The party's first position in the incident: positions of one field are listed in this order. */
  partyOrder: bigint;
}

export const partyPositionsTable: TableSpec<PartyPositionRow> = {
  name: 'party_positions',
  question: 'What does each party hold now on each point of an incident, from all its standing claims, and on which claims does it rest?',
  columns: {
    incidentId: text('incident id'),
    partyId: text('party id'),
    field: text('assertion field'),
    claimId: text('the standing claim stated latest behind the position'),
    value: json(
      'the position: for responsibleParties and ceasefire violators the union over the party’s standing claims; for each casualty group, whether the ceasefire was violated, occurred and location the value of the standing claim stated latest that gives it',
    ),
    statedAt: json('when that claim’s current version was stated'),
    statedOrder: integer('start of that stated time, epoch ms'),
    versionPosition: position('log position of that claim’s current version'),
    parts: json(
      'the position part by part [{part, value, claimId, version, statedAt, statedOrder, versionPosition, claims, values, conflict}]: a party named, a casualty group, violated, or the whole value (part ""), each with the claim and version its value is taken from, how many standing claims hold it (claim_fields lists them), how many different values they give (position_values) and whether they conflict',
    ),
    claims: integer('standing claims of the party asserting the point'),
    conflict: boolean('the party’s own standing claims give different values for some part (e.g. two casualty figures for one group)'),
    partyOrder: position('log position of the party’s first entry in the incident'),
  },
  // Keyed by point first: the disagreements of a point are computed from its positions, one key range of a few rows
  // (one a party), which need no index of their own to be rewritten at each new position.
  primaryKey: ['incidentId', 'field', 'partyId'],
  withoutRowid: true,
};

export interface DisagreementRow {
  incidentId: string;
  kind: DisagreementKind;
  /** The field path for a point of the accounts; the denial id for a standing denial. */
  key: string;
  /** Order among the rows of one kind. */
  ordinal: number;
  field: string;
  side: string | null;
  figure: string | null;
  denialId: string | null;
  claimId: string | null;
  deniedAssertions: AssertionField[] | null;
  positions: DisagreementPosition[];
  /** For a denial, its log position (denials are listed in log order). */
  sortPosition: bigint;
}

export const disagreementsTable: TableSpec<DisagreementRow> = {
  name: 'disagreements',
  question: 'Where do the parties’ versions of an incident disagree now?',
  columns: {
    incidentId: text('incident id'),
    kind: text('responsible-parties, ceasefire, casualties, occurred, location or denial'),
    key: text('the point (field path) or, for a denial, the denial id'),
    ordinal: integer('order among the rows of one kind'),
    field: text('the point in dispute, e.g. casualties[side=armenia].killed or casualties[category=civilians,nationality=NL].killed (see casualtyGroupKey); for a denial the denied fields or "claim"'),
    side: textOrNull('casualty side (null for a group of no side)'),
    figure: textOrNull('killed or wounded'),
    denialId: textOrNull('the standing denial'),
    claimId: textOrNull('the denied claim'),
    deniedAssertions: jsonOrNull('fields denied (denials)'),
    positions: json('each party’s position on the point [{partyId, claimId, value?, role?, denialId?, claimVersion? (denials: the version denied)}]'),
    sortPosition: position('log position of the denial (0 for points of the accounts)'),
  },
  primaryKey: ['incidentId', 'kind', 'key'],
};

/**
 * An entry (claim or denial) that counts in another incident than the one
 * it was recorded under, after a merge or a split. Entries that count where
 * they were recorded have no row. The entry's rows (claims, claim_versions,
 * denials, amendments) are under `incident_id`; its events stay in the
 * stream of `recorded_in`.
 */
export interface MovedEntryRow {
  recordedIn: string;
  entryId: string;
  entryKind: 'claim' | 'denial';
  incidentId: string;
  /** What moved it last: a merge or a split, by its id. */
  movedBy: 'merge' | 'split';
  moveId: string;
  position: bigint;
}

export const movedEntriesTable: TableSpec<MovedEntryRow> = {
  name: 'moved_entries',
  question: 'Which claims and denials count in another incident than the one they were recorded under (merges, splits)?',
  columns: {
    recordedIn: text('the incident whose stream recorded the entry (where its corrections, denials and retractions are still written)'),
    entryId: text('claim id or denial id'),
    entryKind: text("'claim' or 'denial'"),
    incidentId: text('the incident the entry counts in now (its claims / denials rows are under this id)'),
    movedBy: text("'merge' or 'split'"),
    moveId: text('id of the merge or split that moved it last'),
    position: position('log position of the event that moved it last'),
  },
  primaryKey: ['recordedIn', 'entryId'],
  withoutRowid: true,
  indexes: [{ name: 'moved_entries_by_incident', columns: ['incidentId', 'entryId'] }],
};

export interface TimelineEntryRow extends RecordedRow {
  incidentId: string;
  kind: 'reported' | 'claim' | 'denial' | 'correction' | 'retraction' | 'amendment' | 'merged-into' | 'merged' | 'split' | 'split-from';
  partyId: string | null;
  claimId: string | null;
  version: number | null;
  denialId: string | null;
  amendmentId: string | null;
  summary: string;
  statedAt: PointInTime | null;
  /** Start of statedAt as a UTC instant, for charts of stated beside recorded time. */
  statedStart: string | null;
  detail: unknown;
  amendedBy: string[];
}

export const timelineEntriesTable: TableSpec<TimelineEntryRow> = {
  name: 'timeline_entries',
  question: 'What was recorded about an incident, entry by entry, in recorded order?',
  columns: {
    incidentId: text('incident id'),
    kind: text('reported, claim, denial, correction, retraction, amendment, merged-into (this incident was merged into another), merged (absorbed another), split (claims moved out) or split-from (made by a split)'),
    partyId: textOrNull('who said it (null for the ledger’s own entries)'),
    claimId: textOrNull('claim concerned'),
    version: integerOrNull('claim version concerned (for a denial, the version denied)'),
    denialId: textOrNull('denial concerned'),
    amendmentId: textOrNull('the amendment (kind amendment)'),
    summary: text('one line for humans'),
    statedAt: jsonOrNull('when the party said it {at, precision}'),
    statedStart: textOrNull('start of statedAt, UTC instant'),
    detail: json('the data the summary is written from'),
    amendedBy: json('ids of ledger amendments of this entry'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'position'],
  // Covers the dashboards' activity counts (GROUP BY day and party on the stated or recorded clock): they read this
  // narrow index, not the rows with their summaries and details.
  indexes: [{ name: 'timeline_entries_for_stats', columns: ['kind', 'recordedAt', 'statedStart', 'partyId', 'incidentId'] }],
};

export interface AmendmentRow extends RecordedRow {
  incidentId: string;
  amendmentId: string;
  entryKind: EntryRef['kind'];
  entry: EntryRef;
  /** The claim concerned (the denied claim for a denial), when the amended entry is known. */
  claimId: string | null;
  version: number | null;
  denialId: string | null;
  /** Whose entry was fixed (null for the incident report). */
  partyId: string | null;
  reason: string;
  fields: string[];
  changes: EntryChanges;
  /** What the amendment changed in the entry, or null when the entry was not in the log (a time-travel cut). */
  diff: FieldChange[] | null;
}

export const amendmentsTable: TableSpec<AmendmentRow> = {
  name: 'amendments',
  question: 'Which of its own transcriptions did the ledger fix, and what changed?',
  columns: {
    incidentId: text('incident id'),
    amendmentId: text('amendment id'),
    entryKind: text('incident, claim, denial or retraction'),
    entry: json('the amended entry {kind, claimId?, version?, denialId?}'),
    claimId: textOrNull('claim concerned (the denied claim for a denial)'),
    version: integerOrNull('claim version amended'),
    denialId: textOrNull('denial amended'),
    partyId: textOrNull('whose entry was fixed'),
    reason: text('why the ledger fixed it'),
    fields: json('keys changed (JSON array)'),
    changes: json('the corrected values as recorded'),
    diff: jsonOrNull('field-level changes of the entry [{path, from, to}]'),
    ...recorded,
  },
  primaryKey: ['incidentId', 'amendmentId'],
  indexes: [
    { name: 'amendments_in_order', columns: ['incidentId', 'position'] },
    { name: 'amendments_of_claim', columns: ['incidentId', 'claimId', 'position'] },
  ],
};

/** Who a party is, as far as the ledger knows; the facts are null while it is only named by other entries. */
export interface PartyRegistration {
  partyId: string;
  /** False while only other entries name the party; registration facts are then null. */
  registered: boolean;
  name: string | null;
  kind: PartyKind | null;
  /** The recorder's description of the party (PartyRegistered.v2). */
  description: string | null;
  affiliation: PartyRegisteredData['affiliation'] | null;
  aliases: string[];
  registeredAt: string | null;
}

/** How much a party has said: the counts of its record (GET /parties/{id}), kept on its row by deltas. */
export interface PartyRecordCounts {
  incidents: number;
  claims: number;
  corrections: number;
  retractions: number;
  denialsMade: number;
  denialsReceived: number;
}

export interface PartyRow extends PartyRegistration, PartyRecordCounts {
  lastPosition: bigint;
}

export const partiesTable: TableSpec<PartyRow> = {
  name: 'parties',
  question: 'Who are the parties (registered, or named by an entry before registration)?',
  columns: {
    partyId: text('party id (slug)'),
    registered: boolean('registered (false while only entries name it)'),
    name: textOrNull('name'),
    kind: textOrNull(
      'state, government-body, armed-force, armed-group, mediator, media, ngo, individual, company, international-organisation, investigative-body, court-or-tribunal, intelligence-service',
    ),
    description: textOrNull('who the party is, in the recorder’s words (null: none given)'),
    affiliation: jsonOrNull('{partyId?, description}'),
    aliases: json('aliases (JSON array)'),
    registeredAt: textOrNull('when the ledger recorded the registration'),
    lastPosition: position('log position of the last entry naming the party'),
    incidents: integer('incidents the party made or denied a claim in (incident_parties rows)'),
    claims: integer('claims the party made'),
    corrections: integer('corrections of its claims (versions beyond the first)'),
    retractions: integer('its claims it retracted'),
    denialsMade: integer('denials it made'),
    denialsReceived: integer('denials of its claims'),
  },
  primaryKey: ['partyId'],
};

export interface ReadModelCheckpointRow {
  name: string;
  position: bigint;
  schemaVersion: number;
}

/** Every table of the ledger's read models, in documentation order. */
export const LEDGER_TABLES = [
  incidentsTable,
  incidentsByDayTable,
  incidentPartiesTable,
  claimsTable,
  claimVersionsTable,
  sourceGradesTable,
  denialsTable,
  partyPositionsTable,
  claimFieldsTable,
  positionValuesTable,
  disagreementsTable,
  timelineEntriesTable,
  amendmentsTable,
  movedEntriesTable,
  partiesTable,
] as const;

/** Bump whenever a table's shape or meaning changes: a stored checkpoint of another version forces a rebuild. */
export const READ_MODEL_TABLES_VERSION = 11;
