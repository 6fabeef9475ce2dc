import { AssertionField, Assertions, EntryAmendedData, IncidentEvent, PointInTime, Source, Statement, applyAssertionChanges } from '@ledger/domain';
import { ClaimVersionEntry, ResolvedClaim, amendEntry, correctedEntry, madeEntry, resolveVersions } from '../claim-versions';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { FieldChange, diffValues } from '../field-diff';
import { DocumentProjection, INTERNAL_KEY_PREFIX, ProjectionContext } from '../projection';
import { RetractionRecord } from './party-versions.projection';

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
  deniedAssertions: AssertionField[];
  statement: Statement;
  statedAt: PointInTime;
  source: Source;
  amendedBy: string[];
}

/** "How did this claim change?" Keyed by claimId. */
export interface ClaimHistoryDoc {
  claimId: string;
  incidentId: string;
  partyId: string;
  answers: string[];
  currentVersion: number;
  versions: ClaimHistoryVersion[];
  amendments: ClaimAmendment[];
  denials: ClaimDenialEntry[];
  retracted: boolean;
  retraction: RetractionRecord | null;
  lastPosition: string;
}

/** Routes amendments of a denial to the claim it denies. */
interface DenialIndexDoc {
  claimId: string;
}

type Doc = ClaimHistoryDoc | DenialIndexDoc;

const denialKey = (denialId: string): string => `${INTERNAL_KEY_PREFIX}denial/${denialId}`;

const entriesOf = (doc: ClaimHistoryDoc): ClaimVersionEntry[] =>
  doc.versions.map((v) => ({
    version: v.version,
    kind: v.kind,
    ...(v.stated.statement ? { statement: v.stated.statement } : {}),
    assertions: v.stated.assertions,
    statedAt: v.statedAt,
    source: v.source,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    amendedBy: v.amendedBy,
    eventId: v.eventId,
    recordedAt: v.recordedAt,
    recordedBy: v.recordedBy,
    position: v.position,
  }));

const fullForm = (r: ResolvedClaim) => ({ statement: r.statement, assertions: r.assertions, statedAt: r.statedAt, source: r.source });

const historyOf = (entries: ClaimVersionEntry[]): ClaimHistoryVersion[] => {
  const resolved = resolveVersions(entries);
  return resolved.map((r, i) => {
    const entry = entries.find((e) => e.version === r.version)!;
    return {
      version: r.version,
      kind: entry.kind,
      statement: r.statement,
      assertions: r.assertions,
      statedAt: r.statedAt,
      source: r.source,
      ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
      stated: { ...(entry.statement ? { statement: entry.statement } : {}), assertions: entry.assertions },
      changes: i === 0 ? [] : diffValues(fullForm(resolved[i - 1]), fullForm(r)),
      amendedBy: entry.amendedBy,
      eventId: entry.eventId,
      recordedAt: entry.recordedAt,
      recordedBy: entry.recordedBy,
      position: entry.position,
    };
  });
};

/**
 * Adds a correction's version. A correction states the next version (the
 * domain's rule), so only that version is resolved, from the one before it;
 * anything else is resolved from the start, as historyOf does.
 */
const appendVersion = (doc: ClaimHistoryDoc, entry: ClaimVersionEntry): void => {
  const last = doc.versions[doc.versions.length - 1];
  if (!last || entry.version <= last.version) {
    doc.versions = historyOf([...entriesOf(doc), entry]);
    return;
  }
  const resolved: ResolvedClaim = {
    version: entry.version,
    statement: entry.statement ?? last.statement,
    assertions: applyAssertionChanges(last.assertions, entry.assertions),
    statedAt: entry.statedAt,
    source: entry.source,
  };
  doc.versions.push({
    version: entry.version,
    kind: entry.kind,
    statement: resolved.statement,
    assertions: resolved.assertions,
    statedAt: resolved.statedAt,
    source: resolved.source,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    stated: { ...(entry.statement ? { statement: entry.statement } : {}), assertions: entry.assertions },
    changes: diffValues(fullForm(last), fullForm(resolved)),
    amendedBy: entry.amendedBy,
    eventId: entry.eventId,
    recordedAt: entry.recordedAt,
    recordedBy: entry.recordedBy,
    position: entry.position,
  });
};

const amend = (doc: ClaimHistoryDoc, data: EntryAmendedData, e: LedgerEnvelope): void => {
  const { entry, changes, amendmentId, reason } = data;
  const record = (target: ClaimAmendment['target'], diff: FieldChange[], ref: Partial<ClaimAmendment>): void => {
    doc.amendments.push({ amendmentId, target, ...ref, reason, changes: diff, ...entryMeta(e) });
  };
  switch (entry.kind) {
    case 'claim': {
      const entries = entriesOf(doc);
      const target = entries.find((v) => v.version === entry.version);
      if (!target) return;
      const before = resolveVersions(entries).find((r) => r.version === entry.version)!;
      const amended = entries.map((v) => (v === target ? amendEntry(v, changes, amendmentId) : v));
      const after = resolveVersions(amended).find((r) => r.version === entry.version)!;
      doc.versions = historyOf(amended);
      record('claim', diffValues(fullForm(before), fullForm(after)), { version: entry.version });
      return;
    }
    case 'denial': {
      const denial = doc.denials.find((d) => d.denialId === entry.denialId);
      if (!denial) return;
      const before = { statement: denial.statement, deniedAssertions: denial.deniedAssertions, statedAt: denial.statedAt, source: denial.source };
      const after = {
        statement: changes.statement ?? before.statement,
        deniedAssertions: changes.deniedAssertions ?? before.deniedAssertions,
        statedAt: changes.statedAt ?? before.statedAt,
        source: changes.source ?? before.source,
      };
      Object.assign(denial, after, { amendedBy: [...denial.amendedBy, amendmentId] });
      record('denial', diffValues(before, after), { denialId: entry.denialId });
      return;
    }
    case 'retraction': {
      const retraction = doc.retraction;
      if (!retraction) return;
      const before = { reason: retraction.reason, statement: retraction.statement, statedAt: retraction.statedAt, source: retraction.source };
      const after = {
        reason: changes.reason ?? before.reason,
        statement: changes.statement ?? before.statement,
        statedAt: changes.statedAt ?? before.statedAt,
        source: changes.source ?? before.source,
      };
      doc.retraction = { ...retraction, ...after, amendedBy: [...retraction.amendedBy, amendmentId] };
      if (doc.retraction.statement === undefined) delete doc.retraction.statement;
      record('retraction', diffValues(before, after), {});
      return;
    }
    case 'incident':
      return;
  }
};

const evolveHistory = (current: ClaimHistoryDoc | undefined, e: LedgerEnvelope): ClaimHistoryDoc | undefined => {
  const event = e.event as IncidentEvent;
  if (event.type === 'ClaimMade') {
    const { claimId, incidentId, partyId, answers } = event.data;
    return {
      claimId,
      incidentId,
      partyId,
      answers,
      currentVersion: 1,
      versions: historyOf([madeEntry(event.data, entryMeta(e))]),
      amendments: [],
      denials: [],
      retracted: false,
      retraction: null,
      lastPosition: e.position.toString(),
    };
  }
  if (!current) return undefined;
  // Updated in place: the caller owns `current` (see DocumentProjection).
  const doc = current;
  switch (event.type) {
    case 'ClaimCorrected':
      appendVersion(doc, correctedEntry(event.data, entryMeta(e)));
      break;
    case 'ClaimDenied': {
      const { denialId, partyId, deniedAssertions, statement, statedAt, source } = event.data;
      doc.denials.push({ denialId, partyId, deniedAssertions, statement, statedAt, source, amendedBy: [], ...entryMeta(e) });
      break;
    }
    case 'ClaimRetracted': {
      const { reason, statement, statedAt, source } = event.data;
      doc.retracted = true;
      doc.retraction = { reason, ...(statement ? { statement } : {}), statedAt, source, amendedBy: [], ...entryMeta(e) };
      break;
    }
    case 'EntryAmended':
      amend(doc, event.data, e);
      break;
    default:
      return current;
  }
  doc.currentVersion = doc.versions[doc.versions.length - 1].version;
  doc.lastPosition = e.position.toString();
  return doc;
};

const keysOf = (e: LedgerEnvelope, ctx: ProjectionContext<Doc>): string[] => {
  const event = e.event;
  switch (event.type) {
    case 'ClaimMade':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      return [event.data.claimId];
    case 'ClaimDenied':
      return [denialKey(event.data.denialId), event.data.claimId];
    case 'EntryAmended': {
      const entry = event.data.entry;
      if (entry.kind === 'claim' || entry.kind === 'retraction') return [entry.claimId];
      if (entry.kind === 'denial') {
        const index = ctx.get(denialKey(entry.denialId)) as DenialIndexDoc | undefined;
        return index ? [index.claimId] : [];
      }
      return [];
    }
    default:
      return [];
  }
};

export const claimHistoryProjection: DocumentProjection<Doc> = {
  name: 'claim-history',
  version: 1,
  keysOf,
  evolve: (doc, e, key) => {
    if (key.startsWith(INTERNAL_KEY_PREFIX)) {
      return e.event.type === 'ClaimDenied' ? { claimId: e.event.data.claimId } : doc;
    }
    return evolveHistory(doc as ClaimHistoryDoc | undefined, e);
  },
};

/** The claim as it stands, for readers: what the party says now, who denies it, whether it was withdrawn. */
export interface CurrentClaimView {
  claimId: string;
  incidentId: string;
  partyId: string;
  answers: string[];
  currentVersion: number;
  statement: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
  denials: { denialId: string; partyId: string; deniedAssertions: AssertionField[]; statement: Statement; statedAt: PointInTime; source: Source }[];
  retracted: boolean;
  retraction: { reason: string; statement?: Statement; statedAt: PointInTime; source: Source } | null;
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
    partyId: doc.partyId,
    answers: doc.answers,
    currentVersion: doc.currentVersion,
    statement: current.statement,
    assertions: current.assertions,
    statedAt: current.statedAt,
    source: current.source,
    denials: doc.denials.map(({ denialId, partyId, deniedAssertions, statement, statedAt, source }) => ({
      denialId,
      partyId,
      deniedAssertions,
      statement,
      statedAt,
      source,
    })),
    retracted: doc.retracted,
    retraction: doc.retraction && {
      reason: doc.retraction.reason,
      ...(doc.retraction.statement ? { statement: doc.retraction.statement } : {}),
      statedAt: doc.retraction.statedAt,
      source: doc.retraction.source,
    },
    lastPosition: doc.lastPosition,
  };
};
