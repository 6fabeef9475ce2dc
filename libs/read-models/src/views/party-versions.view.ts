import {
  ASSERTION_FIELDS,
  AssertionField,
  InformationCredibility,
  SourceReliability,
  Assertions,
  CasualtyReport,
  EntryRef,
  IncidentCategory,
  Place,
  PointInTime,
  Source,
  Statement,
  TimeInterval,
} from '@ledger/domain';
import { AccountEntry, AccountPart, ActiveDenial, ClaimAtVersion, CurrentAccount, DISAGREEMENT_KINDS, Disagreement, DisagreementPosition, PART_CLAIMS_LISTED } from '../disagreements';
import { EntryMeta } from '../envelope';
import { entryMetaOf } from '../projection/projection-context';
import {
  ClaimRow,
  ClaimVersionRow,
  DenialRow,
  DisagreementRow,
  PartyPositionRow,
  IncidentRow,
  StoredRetraction,
  amendmentsTable,
  claimFieldsTable,
  claimVersionsTable,
  claimsTable,
  denialsTable,
  disagreementsTable,
  incidentPartiesTable,
  incidentsTable,
  movedEntriesTable,
  partyPositionsTable,
} from '../tables/ledger.tables';
import { finalSurvivorOf } from '../projection/merge-split.projection';
import { stands } from '../projection/positions.projection';
import { TableAccess } from '../tables/table-spec';
import { EntriesPage, EntriesPageRequest, entriesPageOf, mergePage } from './entries-page';
import { GradeFilter, countedDisagreements, filtersGrade, meetsGrade } from './grade-filter';
import { PartyNameLookup, PartyNames } from './party-names';

/** The incident as the ledger reports it, its own amendments applied. */
export interface IncidentFacts {
  title: string;
  summary: string;
  category: IncidentCategory;
  /** The incident's toll by casualty group; absent when none was given. */
  toll?: CasualtyReport[];
  occurred: TimeInterval;
  location: Place;
  reportedAt: string;
  reportedBy: string;
  amendedBy: string[];
}

export interface DenialRecord extends EntryMeta {
  denialId: string;
  /** The denying party. */
  partyId: string;
  partyName: string | null;
  claimId: string;
  claimPartyId: string;
  claimPartyName: string | null;
  /** The claim version denied: a later correction of the claim is not what this denial denies. */
  claimVersion: number;
  statement: Statement;
  /** Empty: the claim as a whole. */
  deniedAssertions: AssertionField[];
  statedAt: PointInTime;
  source: Source;
  /** False once the denied claim is retracted: nothing is left to dispute. */
  active: boolean;
  amendedBy: string[];
  /** The incident the denial was recorded under, when a merge or split made it count here. */
  recordedIn?: string;
}

export interface RetractionRecord extends EntryMeta {
  reason: string;
  statement?: Statement;
  statedAt: PointInTime;
  source: Source;
  amendedBy: string[];
}

export interface DenialReceived {
  denialId: string;
  /** The denying party. */
  partyId: string;
  partyName: string | null;
  /** The claim version denied. */
  claimVersion: number;
  deniedAssertions: AssertionField[];
  statement: Statement;
  statedAt: PointInTime;
  active: boolean;
}

/** The latest grade of a claim version (Admiralty system) and who gave it when. */
export interface GradeRecord {
  reliability: SourceReliability;
  credibility: InformationCredibility;
  gradedBy: string;
  gradedAt: string;
  /** How many grades the version was given, regrades included (its history: the claim's history). */
  gradings: number;
}

/** The grade columns of a claim_versions row as the API shows them; null while the version is ungraded. */
export const gradeRecordOf = (row: Pick<ClaimVersionRow, 'reliability' | 'credibility' | 'gradedBy' | 'gradedAt' | 'gradings'>): GradeRecord | null =>
  row.reliability !== null && row.credibility !== null
    ? { reliability: row.reliability, credibility: row.credibility, gradedBy: row.gradedBy ?? '', gradedAt: row.gradedAt ?? '', gradings: row.gradings }
    : null;

/**
 * What one event of a claim stated, as the ledger now has it (its own
 * amendments applied): version 1 with the full content, each correction
 * only what it replaced.
 */
export interface ClaimVersionEntry extends EntryMeta {
  version: number;
  kind: 'made' | 'corrected';
  statement?: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
  reason?: string;
  amendedBy: string[];
  /** Ids of the denials that address this version, in log order. */
  deniedBy: string[];
  /** The version's latest grade; null: not graded. */
  grade: GradeRecord | null;
}

/** A claim in current form: the party's corrections and the ledger's amendments applied. */
export interface PartyClaim {
  claimId: string;
  partyId: string;
  partyName: string | null;
  version: number;
  statement: Statement;
  /** When the current version was stated (the latest correction's stated time, or the claim's own). */
  statedAt: PointInTime;
  source: Source;
  assertions: Assertions;
  answers: string[];
  /** Earlier claims of the party this claim replaces. */
  supersedes: string[];
  /** Claims, not retracted, that replace this one: while there is one, the claim does not count in its party's positions. */
  supersededBy: string[];
  /** When the claim was first made (version 1). */
  firstStatedAt: PointInTime;
  recordedAt: string;
  retracted: boolean;
  retraction: RetractionRecord | null;
  denials: DenialReceived[];
  /** Whether any denial addresses the current version (denials of earlier versions do not count). */
  currentVersionDenied: boolean;
  /** The current version's grade (what a minimum grade is compared with); null: not graded. */
  grade: GradeRecord | null;
  versions: ClaimVersionEntry[];
  /** The incident the claim was recorded under, when a merge or split made it count here (its corrections are written there). */
  recordedIn?: string;
}

export interface PartyVersion {
  partyId: string;
  /** The registered name; null while the party is only named by entries. */
  partyName: string | null;
  claims: PartyClaim[];
  denialsMade: DenialRecord[];
  /** Per assertion field, the value from the party's standing claim stated latest. */
  currentAccount: CurrentAccount;
}

export interface LedgerAmendmentRecord extends EntryMeta {
  amendmentId: string;
  entry: EntryRef;
  reason: string;
  fields: string[];
}

export interface PartyVersionsDoc {
  incidentId: string;
  incident: IncidentFacts | null;
  /** In order of each party's first entry in the incident. */
  parties: PartyVersion[];
  disagreements: NamedDisagreement[];
  /** Every party the document mentions (speakers, and parties named in assertions and disagreements), by id. */
  partyNames: PartyNames;
  amendments: LedgerAmendmentRecord[];
  lastRecordedAt: string;
  lastPosition: string;
  /** Revision of the incident stream's last event. */
  revision: string;
  /**
   * The minimum grade asked for, or null for none. Under a minimum, only claims whose current version is graded at
   * least so well are listed and counted (ungraded claims are left out), with the denials of those claims; accounts
   * and disagreements are computed from them alone.
   */
  gradeFilter: GradeFilter | null;
  /** The incident this one was merged into, at the end of the chain of merges: its claims and disagreements are shown there. */
  mergedInto?: string;
}

export interface NamedDisagreementPosition extends DisagreementPosition {
  partyName: string | null;
}

/** A point of disagreement with each position's party named. */
export interface NamedDisagreement extends Omit<Disagreement, 'positions'> {
  positions: NamedDisagreementPosition[];
}

/** One page of a large incident: its claims and denials in log order; positions and disagreements always whole. */
export interface PartyVersionsPage extends PartyVersionsDoc {
  page: EntriesPage;
}

export const retractionRecordOf = (stored: StoredRetraction): RetractionRecord => {
  const { reason, statement, statedAt, source } = stored.data;
  const { amendedBy, eventId, recordedAt, recordedBy, position } = stored;
  return { reason, ...(statement ? { statement } : {}), statedAt, source, amendedBy, eventId, recordedAt, recordedBy, position };
};

/** The ids of the denials addressing each version, from the claim's denials (in log order). */
export const denialIdsByVersion = (denials: ReadonlyArray<Pick<DenialRow, 'denialId' | 'claimVersion'>>): Map<number, string[]> => {
  const byVersion = new Map<number, string[]>();
  for (const d of denials) byVersion.set(d.claimVersion, [...(byVersion.get(d.claimVersion) ?? []), d.denialId]);
  return byVersion;
};

export const versionEntryOf = (row: ClaimVersionRow, deniedBy: string[] = []): ClaimVersionEntry => ({
  grade: gradeRecordOf(row),
  version: row.version,
  kind: row.kind,
  ...(row.restated ? { statement: row.statement } : {}),
  assertions: row.statedAssertions ?? row.assertions,
  statedAt: row.statedAt,
  source: row.source,
  ...(row.reason !== null ? { reason: row.reason } : {}),
  amendedBy: row.amendedBy,
  deniedBy,
  ...entryMetaOf(row),
});

export const disagreementOf = (row: DisagreementRow): Disagreement => ({
  kind: row.kind,
  field: row.field,
  ...(row.side !== null ? { side: row.side } : {}),
  ...(row.figure !== null ? { figure: row.figure as 'killed' | 'wounded' } : {}),
  ...(row.deniedAssertions !== null ? { deniedAssertions: row.deniedAssertions } : {}),
  positions: row.positions,
});

const byDisagreementOrder = (a: DisagreementRow, b: DisagreementRow): number =>
  DISAGREEMENT_KINDS.indexOf(a.kind) - DISAGREEMENT_KINDS.indexOf(b.kind) ||
  a.ordinal - b.ordinal ||
  (a.sortPosition < b.sortPosition ? -1 : a.sortPosition > b.sortPosition ? 1 : 0);

/** Every point of disagreement of an incident, in the documented order: kinds, then within a kind, then denials in log order. */
export const incidentDisagreements = (t: TableAccess, incidentId: string): Disagreement[] =>
  t.find(disagreementsTable, { incidentId }).sort(byDisagreementOrder).map(disagreementOf);

/**
 * The latest stated claims behind each part (claim_fields, read at query time), a few seeks each: an incident of
 * thousands of claims costs no more.
 */
const LATEST_BEHIND = {
  orderBy: [{ column: 'statedOrder' as const, desc: true }, { column: 'versionPosition' as const, desc: true }],
  limit: PART_CLAIMS_LISTED,
  columns: ['claimId', 'version'] as const,
};

const accountPartsOf = (t: TableAccess, row: PartyPositionRow): AccountPart[] => {
  const { incidentId, partyId, field } = row;
  return row.parts.map((p) => ({
    part: p.part,
    value: p.value,
    claimId: p.claimId,
    version: p.version,
    claims: t.find(claimFieldsTable, { incidentId, partyId, field, part: p.part }, LATEST_BEHIND).map((c): ClaimAtVersion => ({ claimId: c.claimId, version: c.version })),
    claimCount: p.claims,
    conflict: p.conflict,
  }));
};

const currentAccounts = (t: TableAccess, incidentId: string): Map<string, CurrentAccount> => {
  const byParty = new Map<string, Record<string, unknown>>();
  for (const row of t.find(partyPositionsTable, { incidentId })) {
    let account = byParty.get(row.partyId);
    if (!account) byParty.set(row.partyId, (account = {}));
    const entry: AccountEntry<unknown> = { value: row.value, claimId: row.claimId, statedAt: row.statedAt, parts: accountPartsOf(t, row), conflict: row.conflict };
    account[row.field] = entry;
  }
  // Field order fixed, whatever order the rows come in.
  const accounts = new Map<string, CurrentAccount>();
  for (const [partyId, account] of byParty) {
    const ordered: Record<string, unknown> = {};
    for (const field of ASSERTION_FIELDS) if (account[field]) ordered[field] = account[field];
    accounts.set(partyId, ordered as CurrentAccount);
  }
  return accounts;
};

type ClaimDetails = ReturnType<typeof claimDetailsOf>;

/** The rows a claim's entry is built from beside its own: its versions, the denials it received, where it was recorded. */
const claimDetailsOf = (t: TableAccess, claim: ClaimRow) => {
  const key = { incidentId: claim.incidentId, claimId: claim.claimId };
  return {
    versions: t.find(claimVersionsTable, key, { orderBy: [{ column: 'version' }] }),
    received: t.find(denialsTable, key, { orderBy: [{ column: 'position' }] }),
    elsewhere: recordedElsewhere(t, claim.incidentId, claim.claimId),
  };
};

const partyClaimOf = (claim: ClaimRow, { versions, received, elsewhere }: ClaimDetails, names: PartyNameLookup): PartyClaim => {
  // The claim's current words and source are its current version's.
  const current = versions.find((v) => v.version === claim.version) ?? versions[versions.length - 1];
  const deniedBy = denialIdsByVersion(received);
  names.mention(claim.assertions);
  return {
    claimId: claim.claimId,
    partyId: claim.partyId,
    partyName: names.nameOf(claim.partyId),
    version: claim.version,
    statement: current.statement,
    statedAt: claim.statedAt,
    source: current.source,
    assertions: claim.assertions,
    answers: claim.answers,
    supersedes: claim.supersedes,
    supersededBy: claim.supersededBy,
    firstStatedAt: claim.firstStatedAt,
    recordedAt: claim.recordedAt,
    retracted: claim.retracted,
    retraction: claim.retraction && retractionRecordOf(claim.retraction),
    denials: received.map((d) => ({
      denialId: d.denialId,
      partyId: d.partyId,
      partyName: names.nameOf(d.partyId),
      claimVersion: d.claimVersion,
      deniedAssertions: d.deniedAssertions,
      statement: d.statement,
      statedAt: d.statedAt,
      active: !claim.retracted,
    })),
    currentVersionDenied: claim.currentVersionDenials > 0,
    grade: gradeRecordOf(current),
    versions: versions.map((v) => versionEntryOf(v, deniedBy.get(v.version))),
    ...elsewhere,
  };
};

/** `{recordedIn}` for an entry that a merge or split moved here, else nothing. */
export const recordedElsewhere = (t: TableAccess, incidentId: string, entryId: string): { recordedIn?: string } => {
  const [moved] = t.find(movedEntriesTable, { incidentId, entryId }, { limit: 1 });
  return moved ? { recordedIn: moved.recordedIn } : {};
};

export const denialRecordOf = (d: DenialRow, active: boolean, names: PartyNameLookup, t?: TableAccess): DenialRecord => ({
  denialId: d.denialId,
  partyId: d.partyId,
  partyName: names.nameOf(d.partyId),
  claimId: d.claimId,
  claimPartyId: d.claimPartyId,
  claimPartyName: names.nameOf(d.claimPartyId),
  claimVersion: d.claimVersion,
  statement: d.statement,
  deniedAssertions: d.deniedAssertions,
  statedAt: d.statedAt,
  source: d.source,
  active,
  amendedBy: d.amendedBy,
  ...entryMetaOf(d),
  ...(t ? recordedElsewhere(t, d.incidentId, d.denialId) : {}),
});

/** `{mergedInto}` (the end of the chain of merges) for a merged incident, else nothing. */
export const mergedIntoOf = (t: TableAccess, incident: IncidentRow): { mergedInto?: string } =>
  incident.mergedInto ? { mergedInto: finalSurvivorOf(t, incident.mergedInto, incident.incidentId) ?? incident.mergedInto } : {};

export const incidentFactsOf = (t: TableAccess, incidentId: string): IncidentFacts | null => {
  const row = t.get(incidentsTable, { incidentId });
  if (!row?.data || row.reportedAt === null || row.reportedBy === null) return null;
  const { title, summary, category, toll, occurred, location } = row.data;
  return { title, summary, category, ...(toll !== undefined ? { toll } : {}), occurred, location, reportedAt: row.reportedAt, reportedBy: row.reportedBy, amendedBy: row.amendedBy };
};

/** A page request of the versions, with an optional minimum grade of the claims counted. */
export interface PartyVersionsRequest extends EntriesPageRequest {
  minGrade?: GradeFilter;
}

type PageRange = { orderBy: Array<{ column: 'position' }>; after?: { column: 'position'; value: bigint }; limit?: number };

/** Claims and denials in a page range, taken from rows already in log order (a filtered read fetches them whole). */
const inRange = <T extends { position: bigint }>(rows: T[], range: PageRange): T[] => {
  const after = range.after?.value;
  const kept = after === undefined ? rows : rows.filter((r) => r.position > after);
  return range.limit === undefined ? kept : kept.slice(0, range.limit);
};

/** The standing denial of a counted claim, as the disagreements take it: the claimant's values at the version denied. */
const activeDenialOf = (t: TableAccess, denial: DenialRow, claim: ClaimRow): ActiveDenial => {
  const { denialId, partyId, claimId, claimPartyId, deniedAssertions, claimVersion } = denial;
  const denied = claimVersion === claim.version ? claim : t.get(claimVersionsTable, { incidentId: claim.incidentId, claimId, version: claimVersion });
  return { denialId, partyId, claimId, claimPartyId, deniedAssertions, claimVersion, ...(denied ? { claimAssertions: denied.assertions } : {}) };
};

/**
 * The incident counting only the claims that meet a minimum grade: those claims (and the denials of them) in log
 * order, and the accounts and disagreements computed now from the standing ones. The stored positions and points
 * count every claim, so a filtered answer is not read from them; it costs a read of the incident's claims and denials.
 */
const countedUnder = (t: TableAccess, incidentId: string, filter: GradeFilter, parties: readonly string[]) => {
  const inLogOrder = { orderBy: [{ column: 'position' as const }] };
  const claims = t.find(claimsTable, { incidentId }, inLogOrder).filter((c) => meetsGrade(c, filter));
  const counted = new Map(claims.map((c) => [c.claimId, c]));
  const denials = t.find(denialsTable, { incidentId }, inLogOrder).filter((d) => counted.has(d.claimId));
  // Standing as the stored positions count it (superseded by any claim of the party, graded or not: superseding is the
  // party's own act); a denial stays disputed until its claim is retracted.
  const standing = claims.filter(stands);
  const active = denials.flatMap((d) => {
    const claim = counted.get(d.claimId)!;
    return claim.retracted ? [] : [activeDenialOf(t, d, claim)];
  });
  return { claims, denials, ...countedDisagreements(parties, standing, active) };
};

/**
 * "What is each party's version of this incident, and where do the versions
 * disagree?" With a limit, a page of the incident's claims and denials (in
 * log order) is shown under their parties; each party's current account, the
 * disagreements and the amendments are always whole. With a minimum grade,
 * only the claims graded at least so well count (see PartyVersionsDoc.gradeFilter).
 */
export function partyVersionsView(t: TableAccess, incidentId: string): PartyVersionsDoc | undefined;
export function partyVersionsView(t: TableAccess, incidentId: string, request: PartyVersionsRequest): PartyVersionsPage | undefined;
export function partyVersionsView(t: TableAccess, incidentId: string, request?: PartyVersionsRequest): PartyVersionsDoc | PartyVersionsPage | undefined {
  // The incident's rows are asked for before it is known to exist: over PostgreSQL they then come in the first round.
  const incident = t.get(incidentsTable, { incidentId });
  const { limit, after } = entriesPageOf(request ?? {});
  const range: PageRange = {
    orderBy: [{ column: 'position' as const }],
    ...(after !== undefined ? { after: { column: 'position' as const, value: after } } : {}),
    ...(limit !== undefined ? { limit: limit + 1 } : {}),
  };
  const filter = filtersGrade(request?.minGrade) ? request.minGrade : undefined;
  const partyRows = t.find(incidentPartiesTable, { incidentId }, { orderBy: [{ column: 'firstPosition' }] });
  const counted = filter ? countedUnder(t, incidentId, filter, partyRows.map((p) => p.partyId)) : undefined;
  // One claim (a claim page, a form opened on it): found by its key whatever its place in a long incident.
  const onlyClaim = request?.claimId !== undefined ? t.get(claimsTable, { incidentId, claimId: request.claimId }) : undefined;
  const claims =
    request?.claimId !== undefined ? (onlyClaim ? [onlyClaim] : []) : counted ? inRange(counted.claims, range) : t.find(claimsTable, { incidentId }, range);
  const denials = request?.claimId !== undefined ? [] : counted ? inRange(counted.denials, range) : t.find(denialsTable, { incidentId }, range);
  const { taken, next } = mergePage<ClaimRow | DenialRow>([claims, denials], request?.claimId !== undefined ? undefined : limit);
  const retracted = new Map(claims.map((c) => [c.claimId, c.retracted]));
  const isRetracted = (claimId: string): boolean => retracted.get(claimId) ?? t.get(claimsTable, { incidentId, claimId })?.retracted ?? false;
  const accounts = counted?.accounts ?? currentAccounts(t, incidentId);
  const disagreements = counted?.disagreements ?? incidentDisagreements(t, incidentId);
  const amendments = t.find(amendmentsTable, { incidentId }, { orderBy: [{ column: 'position' }] });
  if (!incident) return undefined;
  const names = new PartyNameLookup(t);
  const parties = partyRows.map(
    (p): PartyVersion => ({ partyId: p.partyId, partyName: names.nameOf(p.partyId), claims: [], denialsMade: [], currentAccount: accounts.get(p.partyId) ?? {} }),
  );
  for (const account of accounts.values()) names.mention(Object.fromEntries(Object.entries(account).map(([field, entry]) => [field, entry?.value])));
  const partyOf = new Map(parties.map((p) => [p.partyId, p]));
  // Every entry's lookups are asked before any is used: over PostgreSQL a view runs in rounds, and a page then costs
  // one round for all its entries instead of one per entry.
  const shownClaims = claims.filter((c) => taken.has(c)).map((claim) => ({ claim, details: claimDetailsOf(t, claim) }));
  const shownDenials = denials.filter((d) => taken.has(d)).map((denial) => ({ denial, elsewhere: recordedElsewhere(t, denial.incidentId, denial.denialId) }));
  for (const { claim, details } of shownClaims) partyOf.get(claim.partyId)?.claims.push(partyClaimOf(claim, details, names));
  for (const { denial, elsewhere } of shownDenials) partyOf.get(denial.partyId)?.denialsMade.push({ ...denialRecordOf(denial, !isRetracted(denial.claimId), names), ...elsewhere });
  const doc: PartyVersionsDoc = {
    incidentId,
    incident: incidentFactsOf(t, incidentId),
    parties,
    disagreements: disagreements.map((d) => ({
      ...d,
      positions: d.positions.map((p) => ({ ...p, partyName: names.nameOf(p.partyId) })),
    })),
    partyNames: {},
    amendments: amendments.map((a) => ({
      amendmentId: a.amendmentId,
      entry: a.entry,
      reason: a.reason,
      fields: a.fields,
      ...entryMetaOf(a),
    })),
    lastRecordedAt: incident.lastRecordedAt,
    lastPosition: incident.lastPosition.toString(),
    revision: incident.revision.toString(),
    gradeFilter: filter ?? null,
    ...mergedIntoOf(t, incident),
  };
  doc.partyNames = names.all();
  if (!request) return doc;
  if (request.claimId !== undefined) return { ...doc, page: { limit: null, after: null, next: null } };
  return { ...doc, page: { limit: limit ?? null, after: request.after ?? null, next: next === null ? null : next.toString() } };
}
