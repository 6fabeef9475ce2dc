import { AssertionField, Assertions, InformationCredibility, PointInTime, Source, SourceReliability, Statement } from '@ledger/domain';
import { EntryMeta } from '../envelope';
import { FieldChange } from '../field-diff';
import { entryMetaOf } from '../projection/projection-context';
import { amendmentsTable, claimVersionsTable, claimsTable, denialsTable, incidentsTable, sourceGradesTable } from '../tables/ledger.tables';
import { homeOf } from '../projection/merge-split.projection';
import { TableAccess } from '../tables/table-spec';
import { GradeRecord, RetractionRecord, denialIdsByVersion, gradeRecordOf, retractionRecordOf } from './party-versions.view';
import { PartyNameLookup, PartyNames } from './party-names';

/** One version of the claim in full, as the claim read once the party had said it. */
export interface ClaimHistoryVersion extends EntryMeta {
  version: number;
  kind: 'made' | 'corrected';
  statement: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
  /** The party's reason, for corrections. */
  reason?: string;
  /** What the event itself stated: a correction carries only what it replaced. */
  stated: { statement?: Statement; assertions: Assertions };
  /** What this version changed from the previous one; empty for version 1. */
  changes: FieldChange[];
  /** Ledger amendments applied to this version's transcription. */
  amendedBy: string[];
  /** Ids of the denials that address this version, in log order. */
  deniedBy: string[];
  /** The version's latest grade; null: not graded. Every grade given is in `grades`. */
  grade: GradeRecord | null;
}

/** One grade given to a version of the claim, with the grade it replaced: regrades stay listed. */
export interface ClaimGradeEntry extends EntryMeta {
  claimVersion: number;
  reliability: SourceReliability;
  credibility: InformationCredibility;
  /** The grade this one replaced; absent for the first grade of the version. */
  previous?: { reliability: SourceReliability; credibility: InformationCredibility };
  reason?: string;
  gradedBy: string;
  gradedAt: string;
}

/** A fix of the ledger's own transcription, kept apart from the party's corrections. */
export interface ClaimAmendment extends EntryMeta {
  amendmentId: string;
  target: 'claim' | 'denial' | 'retraction';
  /** The claim version amended (target 'claim'). */
  version?: number;
  /** The denial amended (target 'denial'). */
  denialId?: string;
  reason: string;
  /** What the amendment changed in the amended entry. */
  changes: FieldChange[];
}

export interface ClaimDenialEntry extends EntryMeta {
  denialId: string;
  /** The denying party. */
  partyId: string;
  partyName: string | null;
  /** The claim version denied. */
  claimVersion: number;
  deniedAssertions: AssertionField[];
  statement: Statement;
  statedAt: PointInTime;
  source: Source;
  amendedBy: string[];
}

/** "How did this claim change?" */
export interface ClaimHistoryDoc {
  claimId: string;
  incidentId: string;
  /** The incident's title; null while its report is not in the log (a time-travel cut). */
  incidentTitle: string | null;
  partyId: string;
  partyName: string | null;
  answers: string[];
  currentVersion: number;
  /** Whether any denial addresses the current version (denials of earlier versions do not count). */
  currentVersionDenied: boolean;
  versions: ClaimHistoryVersion[];
  amendments: ClaimAmendment[];
  denials: ClaimDenialEntry[];
  /** Every grade given to any version of the claim (Admiralty system), in log order. */
  grades: ClaimGradeEntry[];
  retracted: boolean;
  retraction: RetractionRecord | null;
  /** Every party the history mentions (claimant, deniers, parties named in any version's assertions), by id. */
  partyNames: PartyNames;
  lastPosition: string;
}

export const claimHistoryView = (t: TableAccess, askedIn: string, claimId: string): ClaimHistoryDoc | undefined => {
  // Asked under the incident that recorded it after a merge or split moved it: answered from where it counts now.
  const incidentId = t.get(claimsTable, { incidentId: askedIn, claimId }) ? askedIn : homeOf(t, askedIn, claimId);
  const claim = t.get(claimsTable, { incidentId, claimId });
  if (!claim) return undefined;
  const key = { incidentId, claimId };
  const inLogOrder = { orderBy: [{ column: 'position' as const }] };
  const names = new PartyNameLookup(t);
  const denials = t.find(denialsTable, key, inLogOrder);
  const deniedBy = denialIdsByVersion(denials);
  const doc: ClaimHistoryDoc = {
    claimId,
    incidentId,
    incidentTitle: t.get(incidentsTable, { incidentId })?.title ?? null,
    partyId: claim.partyId,
    partyName: names.nameOf(claim.partyId),
    answers: claim.answers,
    currentVersion: claim.version,
    currentVersionDenied: claim.currentVersionDenials > 0,
    versions: t.find(claimVersionsTable, key, { orderBy: [{ column: 'version' }] }).map((v) => ({
      version: v.version,
      kind: v.kind,
      statement: v.statement,
      assertions: v.assertions,
      statedAt: v.statedAt,
      source: v.source,
      ...(v.reason !== null ? { reason: v.reason } : {}),
      stated: { ...(v.restated ? { statement: v.statement } : {}), assertions: v.statedAssertions ?? v.assertions },
      changes: v.changes,
      amendedBy: v.amendedBy,
      deniedBy: deniedBy.get(v.version) ?? [],
      grade: gradeRecordOf(v),
      ...entryMetaOf(v),
    })),
    amendments: t
      .find(amendmentsTable, key, inLogOrder)
      .filter((a) => a.diff !== null && a.entryKind !== 'incident')
      .map((a) => ({
        amendmentId: a.amendmentId,
        target: a.entryKind as ClaimAmendment['target'],
        ...(a.entryKind === 'claim' && a.version !== null ? { version: a.version } : {}),
        ...(a.entryKind === 'denial' && a.denialId !== null ? { denialId: a.denialId } : {}),
        reason: a.reason,
        changes: a.diff!,
        ...entryMetaOf(a),
      })),
    denials: denials.map((d) => ({
      denialId: d.denialId,
      partyId: d.partyId,
      partyName: names.nameOf(d.partyId),
      claimVersion: d.claimVersion,
      deniedAssertions: d.deniedAssertions,
      statement: d.statement,
      statedAt: d.statedAt,
      source: d.source,
      amendedBy: d.amendedBy,
      ...entryMetaOf(d),
    })),
    grades: t.find(sourceGradesTable, key, inLogOrder).map((g) => ({
      claimVersion: g.claimVersion,
      reliability: g.reliability,
      credibility: g.credibility,
      ...(g.previousReliability !== null && g.previousCredibility !== null ? { previous: { reliability: g.previousReliability, credibility: g.previousCredibility } } : {}),
      ...(g.reason !== null ? { reason: g.reason } : {}),
      gradedBy: g.gradedBy,
      gradedAt: g.gradedAt,
      ...entryMetaOf(g),
    })),
    retracted: claim.retracted,
    retraction: claim.retraction && retractionRecordOf(claim.retraction),
    partyNames: {},
    lastPosition: claim.lastPosition.toString(),
  };
  for (const version of doc.versions) names.mention(version.assertions);
  doc.partyNames = names.all();
  return doc;
};

/** The claim as it stands, for readers: what the party says now, who denies it, whether it was withdrawn. */
export interface CurrentClaimView {
  claimId: string;
  incidentId: string;
  incidentTitle: string | null;
  partyId: string;
  partyName: string | null;
  answers: string[];
  currentVersion: number;
  statement: Statement;
  assertions: Assertions;
  /** When the current version was stated. */
  statedAt: PointInTime;
  /** When the claim was first made (version 1). */
  firstStatedAt: PointInTime;
  source: Source;
  /** Every denial of the claim, each with the version it denies. */
  denials: { denialId: string; partyId: string; partyName: string | null; claimVersion: number; deniedAssertions: AssertionField[]; statement: Statement; statedAt: PointInTime; source: Source }[];
  /** Whether any denial addresses the current version. */
  currentVersionDenied: boolean;
  /** The current version's grade (Admiralty system); null: not graded. Earlier grades are history, for auditors. */
  grade: GradeRecord | null;
  retracted: boolean;
  retraction: { reason: string; statement?: Statement; statedAt: PointInTime; source: Source } | null;
  partyNames: PartyNames;
  lastPosition: string;
}

/**
 * The reader's view of a claim history: its current version only. Earlier versions, their diffs, who recorded what
 * and the ledger's amendments are history, which is for auditors (and logged when they read it).
 */
export const currentClaimOf = (doc: ClaimHistoryDoc): CurrentClaimView => {
  const current = doc.versions[doc.versions.length - 1];
  return {
    claimId: doc.claimId,
    incidentId: doc.incidentId,
    incidentTitle: doc.incidentTitle,
    partyId: doc.partyId,
    partyName: doc.partyName,
    answers: doc.answers,
    currentVersion: doc.currentVersion,
    statement: current.statement,
    assertions: current.assertions,
    statedAt: current.statedAt,
    firstStatedAt: doc.versions[0].statedAt,
    source: current.source,
    denials: doc.denials.map(({ denialId, partyId, partyName, claimVersion, deniedAssertions, statement, statedAt, source }) => ({
      denialId,
      partyId,
      partyName,
      claimVersion,
      deniedAssertions,
      statement,
      statedAt,
      source,
    })),
    currentVersionDenied: doc.currentVersionDenied,
    grade: current.grade,
    retracted: doc.retracted,
    retraction: doc.retraction && {
      reason: doc.retraction.reason,
      ...(doc.retraction.statement ? { statement: doc.retraction.statement } : {}),
      statedAt: doc.retraction.statedAt,
      source: doc.retraction.source,
    },
    partyNames: doc.partyNames,
    lastPosition: doc.lastPosition,
  };
};
