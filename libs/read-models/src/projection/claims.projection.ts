import {
  AMENDABLE_FIELDS,
  Assertions,
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimDeniedEventData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryChanges,
  SourceGradedData,
  PointInTime,
  Source,
  Statement,
  applyAssertionChanges,
  applyEntryChanges,
  boundClaimVersion,
} from '@ledger/domain';
import { FieldChange, diffValues } from '../field-diff';
import { ClaimRow, ClaimVersionRow, DenialRow, claimVersionsTable, claimsTable, denialsTable, sourceGradesTable } from '../tables/ledger.tables';
import { countInRecord, joinIncident } from './incidents.projection';
import { claimChanged, denialChanged, denialsFollowClaim } from './positions.projection';
import { IncidentContext, recordedOf, statedOrderOf } from './projection-context';

/** A claim as it read at one version: every earlier version folded in. */
export interface ResolvedClaim {
  version: number;
  statement: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
}

/** What a version changes, and what an amendment diff compares: the claim's full form. */
export const fullForm = (r: Pick<ResolvedClaim, 'statement' | 'assertions' | 'statedAt' | 'source'>) => ({
  statement: r.statement,
  assertions: r.assertions,
  statedAt: r.statedAt,
  source: r.source,
});

/** Only what an amendment may change in an entry of this kind (the domain's list): the domain's rule then applies it. */
export const changesFor = (kind: keyof typeof AMENDABLE_FIELDS, changes: EntryChanges): EntryChanges => {
  const allowed: EntryChanges = {};
  for (const key of AMENDABLE_FIELDS[kind]) if (changes[key] !== undefined) Object.assign(allowed, { [key]: changes[key] });
  return allowed;
};

type GradeColumns = Pick<ClaimVersionRow, 'reliability' | 'credibility' | 'gradedBy' | 'gradedAt' | 'gradings'>;

/** A new version has its own source, so it starts ungraded. */
const UNGRADED: GradeColumns = { reliability: null, credibility: null, gradedBy: null, gradedAt: null, gradings: 0 };

/** The version row for `data` resolved on top of the previous version (none for version 1). */
const versionRow = (
  base: Pick<ClaimVersionRow, 'incidentId' | 'claimId' | 'partyId' | 'amendedBy' | 'denials' | 'eventId' | 'recordedAt' | 'recordedBy' | 'position'> & GradeColumns,
  data: ClaimMadeData | ClaimCorrectedData,
  previous: ClaimVersionRow | undefined,
): ClaimVersionRow => {
  const corrected = 'version' in data;
  const resolved = {
    statement: data.statement ?? previous?.statement ?? { text: '', verbatim: false },
    assertions: applyAssertionChanges(previous?.assertions ?? {}, data.assertions),
    statedAt: data.statedAt,
    source: data.source,
  };
  return {
    ...base,
    version: corrected ? data.version : 1,
    kind: corrected ? 'corrected' : 'made',
    restated: data.statement !== undefined,
    statedAssertions: corrected ? (data.assertions ?? {}) : null,
    ...resolved,
    reason: corrected ? data.reason : null,
    changes: previous ? diffValues(fullForm(previous), fullForm(resolved)) : [],
  };
};

/** What a version's event stated, as the ledger now has it (amendments applied), rebuilt from its row. */
export const versionDataOf = (row: ClaimVersionRow, { answers, supersedes }: Pick<ClaimRow, 'answers' | 'supersedes'>): ClaimMadeData | ClaimCorrectedData => {
  const { incidentId, claimId, partyId, statedAt, source } = row;
  if (row.kind === 'made') return { incidentId, claimId, partyId, statement: row.statement, statedAt, source, answers, assertions: row.assertions, supersedes };
  return {
    incidentId,
    claimId,
    partyId,
    version: row.version,
    ...(row.restated ? { statement: row.statement } : {}),
    assertions: row.statedAssertions ?? {},
    reason: row.reason ?? '',
    statedAt,
    source,
  };
};

/** The claim's current columns from its latest version; `statementVersion` is the latest version that restated the words. */
const atVersion = (claim: ClaimRow, latest: ClaimVersionRow, statementVersion: number): ClaimRow => ({
  ...claim,
  version: latest.version,
  statementVersion,
  statedAt: latest.statedAt,
  statedOrder: statedOrderOf(latest.statedAt),
  assertions: latest.assertions,
  currentVersionDenials: latest.denials,
  versionPosition: latest.position,
  reliability: latest.reliability,
  credibility: latest.credibility,
});

export const makeClaim = (ctx: IncidentContext, data: ClaimMadeData): void => {
  const { t, e, incidentId } = ctx;
  joinIncident(ctx, data.partyId);
  const recorded = recordedOf(e);
  const version = versionRow({ incidentId, claimId: data.claimId, partyId: data.partyId, amendedBy: [], denials: 0, ...UNGRADED, ...recorded }, data, undefined);
  const claim: ClaimRow = {
    incidentId,
    claimId: data.claimId,
    partyId: data.partyId,
    version: 1,
    statementVersion: 1,
    statedAt: data.statedAt,
    statedOrder: statedOrderOf(data.statedAt),
    firstStatedAt: data.statedAt,
    assertions: version.assertions,
    answers: data.answers,
    supersedes: data.supersedes ?? [],
    supersededBy: [],
    retracted: false,
    retraction: null,
    retractionPosition: null,
    denials: 0,
    currentVersionDenials: 0,
    versionPosition: e.position,
    lastPosition: e.position,
    reliability: null,
    credibility: null,
    ...recorded,
  };
  t.put(claimVersionsTable, version);
  t.put(claimsTable, claim);
  countInRecord(t, data.partyId, 'claims');
  ctx.incident.claims += 1;
  ctx.incident.activeClaims += 1;
  claimChanged(ctx, undefined, claim);
  for (const supersededId of data.supersedes ?? []) supersede(ctx, supersededId, (by) => [...by, data.claimId]);
};

/**
 * A claim superseded by another stops standing, and stands again once every claim superseding it is retracted (a
 * superseded claim's history stays: only its weight in its party's positions goes). Absent in a cut of the log: nothing to do.
 */
const supersede = (ctx: IncidentContext, claimId: string, change: (supersededBy: string[]) => string[]): void => {
  const claim = ctx.t.get(claimsTable, { incidentId: ctx.incidentId, claimId });
  if (claim) saveClaim(ctx, claim, { ...claim, supersededBy: change(claim.supersededBy), lastPosition: ctx.e.position });
};

/**
 * The versions of a claim re-resolved from `from` on, after one of them changed (its event data given in
 * `changed`, by version); returns them all, in order.
 */
const reresolve = (
  ctx: IncidentContext,
  versions: ClaimVersionRow[],
  from: number,
  claim: Pick<ClaimRow, 'answers' | 'supersedes'>,
  changed: ReadonlyMap<number, ClaimMadeData | ClaimCorrectedData> = new Map(),
): ClaimVersionRow[] => {
  const out: ClaimVersionRow[] = [];
  for (const row of versions) {
    const next = row.version < from ? row : versionRow(row, changed.get(row.version) ?? versionDataOf(row, claim), out[out.length - 1]);
    if (next !== row) ctx.t.put(claimVersionsTable, next);
    out.push(next);
  }
  return out;
};

const versionsOf = (ctx: IncidentContext, claimId: string): ClaimVersionRow[] =>
  ctx.t.find(claimVersionsTable, { incidentId: ctx.incidentId, claimId }, { orderBy: [{ column: 'version' }] });

const lastStatementVersion = (versions: ClaimVersionRow[]): number => {
  for (let i = versions.length - 1; i > 0; i--) if (versions[i].restated) return versions[i].version;
  return 1;
};

/** Stores the claim after a change and brings what depends on it (positions, disagreements, denials) up to date. */
const saveClaim = (ctx: IncidentContext, before: ClaimRow, after: ClaimRow): void => {
  ctx.t.put(claimsTable, after);
  claimChanged(ctx, before, after);
  denialsFollowClaim(ctx, after);
};

export const correctClaim = (ctx: IncidentContext, data: ClaimCorrectedData): void => {
  const { t, e, incidentId } = ctx;
  const claim = t.get(claimsTable, { incidentId, claimId: data.claimId });
  if (!claim) return;
  ctx.incident.corrections += 1;
  joinIncident(ctx, claim.partyId);
  const base = { incidentId, claimId: claim.claimId, partyId: claim.partyId, amendedBy: [], denials: 0, ...UNGRADED, ...recordedOf(e) };
  let latest: ClaimVersionRow;
  let statementVersion = claim.statementVersion;
  const previous = t.get(claimVersionsTable, { incidentId, claimId: claim.claimId, version: claim.version });
  if (data.version === claim.version + 1 && previous) {
    latest = versionRow(base, data, previous);
    t.put(claimVersionsTable, latest);
    countInRecord(t, claim.partyId, 'corrections');
    if (data.statement) statementVersion = data.version;
  } else {
    // A version out of sequence (never written by the decider, possible in a cut of the log): resolve the claim again from the start.
    const all = versionsOf(ctx, claim.claimId);
    const others = all.filter((v) => v.version !== data.version);
    if (others.length === all.length) countInRecord(t, claim.partyId, 'corrections');
    const withIt = [...others, versionRow(base, data, undefined)].sort((a, b) => a.version - b.version);
    const versions = reresolve(ctx, withIt, 1, claim, new Map([[data.version, data]]));
    latest = versions[versions.length - 1];
    statementVersion = lastStatementVersion(versions);
  }
  saveClaim(ctx, claim, { ...atVersion(claim, latest, statementVersion), lastPosition: e.position });
};

export const retractClaim = (ctx: IncidentContext, data: ClaimRetractedData): void => {
  const { t, e, incidentId } = ctx;
  const claim = t.get(claimsTable, { incidentId, claimId: data.claimId });
  if (!claim || claim.retracted) return;
  countInRecord(t, claim.partyId, 'retractions');
  ctx.incident.retractions += 1;
  ctx.incident.activeClaims -= 1;
  const retracted: ClaimRow = {
    ...claim,
    retracted: true,
    retraction: { data, amendedBy: [], eventId: e.eventId, recordedAt: e.recordedAt, recordedBy: e.recordedBy, position: e.position.toString() },
    retractionPosition: e.position,
    lastPosition: e.position,
  };
  saveClaim(ctx, claim, retracted);
  // Its replacement withdrawn, what it superseded stands again (unless another standing claim supersedes it too).
  for (const supersededId of claim.supersedes) supersede(ctx, supersededId, (by) => by.filter((id) => id !== claim.claimId));
};

/**
 * A grade of one claim version: a source_grades row (the history), the version's latest grade, and the claim's
 * current grade when the graded version is the current one. Grades sit beside positions and disagreements, which
 * they do not change: a minimum grade is a filter applied when a reader asks (see views/grade-filter.ts).
 */
export const gradeSource = (ctx: IncidentContext, data: SourceGradedData): void => {
  const { t, e, incidentId } = ctx;
  const key = { incidentId, claimId: data.claimId, version: data.claimVersion };
  const version = t.get(claimVersionsTable, key);
  const claim = t.get(claimsTable, { incidentId, claimId: data.claimId });
  if (!version || !claim) return;
  const { reliability, credibility, gradedBy, gradedAt } = data;
  t.put(sourceGradesTable, {
    incidentId,
    claimId: data.claimId,
    claimVersion: data.claimVersion,
    partyId: claim.partyId,
    reliability,
    credibility,
    previousReliability: version.reliability,
    previousCredibility: version.credibility,
    reason: data.reason ?? null,
    gradedBy,
    gradedAt,
    ...recordedOf(e),
  });
  t.put(claimVersionsTable, { ...version, reliability, credibility, gradedBy, gradedAt, gradings: version.gradings + 1 });
  const current = data.claimVersion === claim.version ? { reliability, credibility } : {};
  t.put(claimsTable, { ...claim, ...current, lastPosition: e.position });
};

/** A ledger amendment of one version of a claim; returns what it changed in that version's full form, or undefined when the version is not in the log. */
export const amendClaimVersion = (
  ctx: IncidentContext,
  claimId: string,
  version: number,
  changes: EntryChanges,
  amendmentId: string,
): { diff: FieldChange[]; before: ClaimVersionRow; after: ClaimVersionRow; data: ClaimMadeData | ClaimCorrectedData } | undefined => {
  const claim = ctx.t.get(claimsTable, { incidentId: ctx.incidentId, claimId });
  if (!claim) return undefined;
  const versions = versionsOf(ctx, claimId);
  const index = versions.findIndex((v) => v.version === version);
  if (index < 0) return undefined;
  const before = versions[index];
  const data = applyEntryChanges(versionDataOf(before, claim), changesFor('claim', changes));
  versions[index] = { ...before, amendedBy: [...before.amendedBy, amendmentId] };
  const resolved = reresolve(ctx, versions, version, claim, new Map([[version, data]]));
  const after = resolved[index];
  saveClaim(ctx, claim, {
    ...atVersion(claim, resolved[resolved.length - 1], lastStatementVersion(resolved)),
    firstStatedAt: resolved[0].statedAt,
    lastPosition: ctx.e.position,
  });
  return { diff: diffValues(fullForm(before), fullForm(after)), before, after, data };
};

/** A ledger amendment of a retraction; returns the retraction's data before and after, or undefined when there is none. */
export const amendRetraction = (ctx: IncidentContext, claimId: string, changes: EntryChanges, amendmentId: string): { before: ClaimRetractedData; after: ClaimRetractedData; position: bigint } | undefined => {
  const claim = ctx.t.get(claimsTable, { incidentId: ctx.incidentId, claimId });
  if (!claim?.retraction) return undefined;
  const before = claim.retraction.data;
  const after = applyEntryChanges(before, changesFor('retraction', changes));
  ctx.t.put(claimsTable, {
    ...claim,
    retraction: { ...claim.retraction, data: after, amendedBy: [...claim.retraction.amendedBy, amendmentId] },
    lastPosition: ctx.e.position,
  });
  return { before, after, position: BigInt(claim.retraction.position) };
};

const denialColumns = (data: ClaimDeniedData): Pick<DenialRow, 'claimVersion' | 'deniedAssertions' | 'statement' | 'statedAt' | 'source'> => ({
  claimVersion: data.claimVersion,
  deniedAssertions: data.deniedAssertions,
  statement: data.statement,
  statedAt: data.statedAt,
  source: data.source,
});

/** A denial's event data as the ledger now has it, rebuilt from its row. */
export const denialDataOf = (row: DenialRow): ClaimDeniedData => {
  const { incidentId, denialId, claimId, claimPartyId, partyId, statement, deniedAssertions, statedAt, source, claimVersion } = row;
  return { incidentId, denialId, claimId, claimPartyId, partyId, statement, deniedAssertions, statedAt, source, claimVersion };
};

/** Counts a denial for (+1) or against (-1) the claim version it addresses, and for the claim if that is its current version. */
const countDenialOf = (ctx: IncidentContext, claim: ClaimRow, claimVersion: number, delta: 1 | -1): ClaimRow => {
  const key = { incidentId: ctx.incidentId, claimId: claim.claimId, version: claimVersion };
  const version = ctx.t.get(claimVersionsTable, key);
  if (version) ctx.t.put(claimVersionsTable, { ...version, denials: version.denials + delta });
  return claimVersion === claim.version ? { ...claim, currentVersionDenials: claim.currentVersionDenials + delta } : claim;
};

/** Records a denial; returns its data bound to the version it addresses (an upcast v1 denial: the claim's current version now). */
export const denyClaim = (ctx: IncidentContext, event: ClaimDeniedEventData): ClaimDeniedData => {
  const { t, e, incidentId } = ctx;
  joinIncident(ctx, event.partyId);
  const claim = t.get(claimsTable, { incidentId, claimId: event.claimId });
  const data: ClaimDeniedData = { ...event, claimVersion: boundClaimVersion(event, claim?.version) };
  const denial: DenialRow = {
    incidentId,
    denialId: data.denialId,
    claimId: data.claimId,
    partyId: data.partyId,
    claimPartyId: data.claimPartyId,
    ...denialColumns(data),
    amendedBy: [],
    ...recordedOf(e),
  };
  t.put(denialsTable, denial);
  countInRecord(t, data.partyId, 'denialsMade');
  countInRecord(t, data.claimPartyId, 'denialsReceived');
  ctx.incident.denials += 1;
  if (claim) t.put(claimsTable, { ...countDenialOf(ctx, claim, data.claimVersion, 1), denials: claim.denials + 1, lastPosition: e.position });
  denialChanged(ctx, denial.denialId);
  return data;
};

/** A ledger amendment of a denial; returns the denial before and after, or undefined when it is not in the log. */
export const amendDenial = (ctx: IncidentContext, denialId: string, changes: EntryChanges, amendmentId: string): { before: DenialRow; after: DenialRow } | undefined => {
  const { t, incidentId } = ctx;
  const before = t.get(denialsTable, { incidentId, denialId });
  if (!before) return undefined;
  const after: DenialRow = { ...before, ...denialColumns(applyEntryChanges(denialDataOf(before), changesFor('denial', changes))), amendedBy: [...before.amendedBy, amendmentId] };
  t.put(denialsTable, after);
  const claim = t.get(claimsTable, { incidentId, claimId: after.claimId });
  if (claim) {
    // The ledger bound the denial to the wrong version (typed wrong, or an upcast v1 denial recorded after a correction it never saw).
    const recounted = after.claimVersion !== before.claimVersion ? countDenialOf(ctx, countDenialOf(ctx, claim, before.claimVersion, -1), after.claimVersion, 1) : claim;
    t.put(claimsTable, { ...recounted, lastPosition: ctx.e.position });
  }
  denialChanged(ctx, after.denialId);
  return { before, after };
};
