import { EntryRef, PointInTime, Source, Statement, unhandled } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { FieldChange, diffValues } from '../field-diff';
import { entryMetaOf } from '../projection/projection-context';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { amendmentsTable } from '../tables/ledger.tables';
import { ClaimHistoryDoc, ClaimHistoryVersion } from '../views/claim-history.view';
import { DenialRecord, IncidentFacts, NamedDisagreement as Disagreement, PartyVersion, PartyVersionsDoc, RetractionRecord } from '../views/party-versions.view';
import { AsOf, AsOfError, AsOfJson, asOfToJson, compareAsOf, envelopesAsOf } from './as-of';
import { incidentEnvelopes, lastPositionOf, namedBy, withFoldedReadModels } from './time-travel';

/** A claim first made between the two moments, as the ledger has its first version at the later one. */
export interface AddedClaim extends EntryMeta {
  claimId: string;
  answers: string[];
  statement: Statement;
  assertions: ClaimHistoryVersion['assertions'];
  statedAt: PointInTime;
  source: Source;
}

/** The party's own corrections of one claim between the two moments. */
export interface CorrectedClaim {
  claimId: string;
  /** The claim's version at the earlier moment (1 when it was made in between too). */
  fromVersion: number;
  toVersion: number;
  /** Each correction made in between: its version, reason, stated and recording facts. */
  corrections: Array<EntryMeta & { version: number; reason?: string; statedAt: PointInTime; source: Source }>;
  /**
   * What the corrections changed, from version `fromVersion` to `toVersion`
   * (statement, every assertion, statedAt, source). Both versions are read
   * with the ledger's amendments as known at the later moment, so a ledger
   * amendment never shows here as something the party changed.
   */
  changes: FieldChange[];
}

export interface RetractedClaim extends RetractionRecord {
  claimId: string;
}

/** A denial the party received between the two moments. */
export interface ReceivedDenial {
  denialId: string;
  /** The denying party. */
  partyId: string;
  claimId: string;
}

/** A ledger amendment (a fix of the ledger's own transcription), kept apart from the party's corrections. */
export interface AmendedEntry extends EntryMeta {
  amendmentId: string;
  entry: EntryRef;
  reason: string;
  /** What the amendment changed in the entry it fixes. */
  changes: FieldChange[];
}

export interface PartyChanges {
  partyId: string;
  /** The party's version at each moment; null when it had none. */
  before: PartyVersion | null;
  after: PartyVersion | null;
  /** How the party's current account (assertion values only) moved, e.g. `casualties[0].named[0].role`. */
  accountChanges: FieldChange[];
  claimsAdded: AddedClaim[];
  claimsCorrected: CorrectedClaim[];
  claimsRetracted: RetractedClaim[];
  denialsMade: DenialRecord[];
  denialsReceived: ReceivedDenial[];
  /** Ledger amendments of this party's entries (claims, denials, retractions). */
  entriesAmended: AmendedEntry[];
}

export interface DisagreementChanges {
  appeared: Disagreement[];
  disappeared: Disagreement[];
  /** The same point of dispute held with other values or by other parties. */
  changed: Array<{ before: Disagreement; after: Disagreement }>;
}

/** What changed in an incident between two moments on one clock. Plain JSON. */
export interface IncidentChanges {
  incidentId: string;
  from: AsOfJson;
  to: AsOfJson;
  /** Global position of the last event of the incident in at each moment ('0' when none). */
  fromPosition: string;
  toPosition: string;
  /** Ids of the incident's events in at `to` but not at `from`, in log order. */
  eventIds: string[];
  incident: {
    before: IncidentFacts | null;
    after: IncidentFacts | null;
    /** Ledger amendments of the incident's own facts (title, when, where...). */
    amendments: AmendedEntry[];
  };
  /** Parties whose version changed, in order of their first entry in the incident. */
  parties: PartyChanges[];
  disagreements: DisagreementChanges;
}

const emptyChanges = (partyId: string, before: PartyVersion | null, after: PartyVersion | null): PartyChanges => ({
  partyId,
  before,
  after,
  accountChanges: [],
  claimsAdded: [],
  claimsCorrected: [],
  claimsRetracted: [],
  denialsMade: [],
  denialsReceived: [],
  entriesAmended: [],
});

const accountValues = (party: PartyVersion | null): Record<string, unknown> =>
  Object.fromEntries(Object.entries(party?.currentAccount ?? {}).map(([field, entry]) => [field, entry?.value]));

const disagreementKey = (d: Disagreement): string => {
  const denialId = d.positions.find((p) => p.denialId)?.denialId ?? '';
  return `${d.kind}|${d.field}|${denialId}`;
};

const compareDisagreements = (before: Disagreement[], after: Disagreement[]): DisagreementChanges => {
  const was = new Map(before.map((d) => [disagreementKey(d), d]));
  const is = new Map(after.map((d) => [disagreementKey(d), d]));
  return {
    appeared: after.filter((d) => !was.has(disagreementKey(d))),
    disappeared: before.filter((d) => !is.has(disagreementKey(d))),
    changed: after.flatMap((d) => {
      const old = was.get(disagreementKey(d));
      return old && JSON.stringify(old) !== JSON.stringify(d) ? [{ before: old, after: d }] : [];
    }),
  };
};

const fullForm = (v: ClaimHistoryVersion) => ({ statement: v.statement, assertions: v.assertions, statedAt: v.statedAt, source: v.source });

const findClaimOwner = (doc: PartyVersionsDoc | undefined, claimId: string): string | undefined =>
  doc?.parties.find((p) => p.claims.some((c) => c.claimId === claimId))?.partyId;

const findDenialOwner = (doc: PartyVersionsDoc | undefined, denialId: string): string | undefined =>
  doc?.parties.find((p) => p.denialsMade.some((d) => d.denialId === denialId))?.partyId;

/** The ledger's amendments of the incident's own facts recorded between the two moments, with what each changed. */
const incidentAmendmentsBetween = (store: SqliteReadModelStore, incidentId: string, between: ReadonlySet<string>): AmendedEntry[] =>
  store.tables
    .find(amendmentsTable, { incidentId }, { orderBy: [{ column: 'position' }] })
    .filter((a) => a.entryKind === 'incident' && between.has(a.eventId))
    .map((a) => ({ amendmentId: a.amendmentId, entry: a.entry, reason: a.reason, changes: a.diff ?? [], ...entryMetaOf(a) }));

/**
 * What changed in an incident between `from` and `to` (same clock, `from`
 * not after `to`; AsOfError otherwise), party by party: claims made,
 * corrected (version numbers and field-level diff), retracted, denials made
 * and received, the ledger's amendments of the party's entries (apart from
 * the party's own corrections), the party's version at both moments and how
 * its current account moved; and which points of disagreement appeared,
 * disappeared or changed. Computed from the same folds as the as-of answers.
 */
export function incidentChanges(envelopes: Iterable<LedgerEnvelope>, incidentId: string, from: AsOf, to: AsOf): IncidentChanges {
  if (compareAsOf(from, to, 'to') > 0) throw new AsOfError('from', 'from must not be after to');
  const all = [...envelopes];
  const own = incidentEnvelopes(all, incidentId);
  const earlier = envelopesAsOf(own, from);
  const later = envelopesAsOf(own, to);
  const earlierIds = new Set(earlier.map((e) => e.eventId));
  const between = later.filter((e) => !earlierIds.has(e.eventId));
  const before = withFoldedReadModels(earlier, (store) => store.partyVersions(incidentId));
  return namedBy(all, withFoldedReadModels(later, (laterStore) => changesBetween({ incidentId, from, to, earlier, later, between, before, laterStore })));
}

/** What attributing one event to the parties it changed needs: both moments' documents and the changes so far. */
interface AttributionContext {
  before: PartyVersionsDoc | undefined;
  after: PartyVersionsDoc | undefined;
  histories: { get(claimId: string): ClaimHistoryDoc | undefined };
  of(partyId: string | undefined): PartyChanges | undefined;
  corrected: Map<string, CorrectedClaim>;
}

/** Adds one event between the two moments to the changes of the party (or parties) it concerns. */
const attribute = (e: LedgerEnvelope, { before, after, histories, of, corrected }: AttributionContext): void => {
  const event = e.event;
  switch (event.type) {
    case 'ClaimMade': {
      const first = histories.get(event.data.claimId)?.versions.find((v) => v.version === 1);
      if (!first) break;
      const { claimId, answers } = event.data;
      const { statement, assertions, statedAt, source, eventId, recordedAt, recordedBy, position } = first;
      of(event.data.partyId)?.claimsAdded.push({ claimId, answers, statement, assertions, statedAt, source, eventId, recordedAt, recordedBy, position });
      break;
    }
    case 'ClaimCorrected': {
      const history = histories.get(event.data.claimId);
      const version = history?.versions.find((v) => v.version === event.data.version);
      if (!history || !version) break;
      let entry = corrected.get(event.data.claimId);
      if (!entry) {
        const earlierVersion = before?.parties.flatMap((p) => p.claims).find((c) => c.claimId === event.data.claimId)?.version;
        entry = { claimId: event.data.claimId, fromVersion: earlierVersion ?? history.versions[0].version, toVersion: history.currentVersion, corrections: [], changes: [] };
        corrected.set(event.data.claimId, entry);
        of(event.data.partyId)?.claimsCorrected.push(entry);
      }
      const { reason, statedAt, source, eventId, recordedAt, recordedBy, position } = version;
      entry.corrections.push({ version: version.version, ...(reason !== undefined ? { reason } : {}), statedAt, source, eventId, recordedAt, recordedBy, position });
      break;
    }
    case 'ClaimRetracted': {
      const retraction = histories.get(event.data.claimId)?.retraction;
      if (retraction) of(event.data.partyId)?.claimsRetracted.push({ claimId: event.data.claimId, ...retraction });
      break;
    }
    case 'ClaimDenied': {
      const denial = after?.parties.flatMap((p) => p.denialsMade).find((d) => d.denialId === event.data.denialId);
      if (denial) of(event.data.partyId)?.denialsMade.push(denial);
      const { denialId, partyId, claimId } = event.data;
      of(event.data.claimPartyId)?.denialsReceived.push({ denialId, partyId, claimId });
      break;
    }
    case 'EntryAmended': {
      const { amendmentId, entry, reason } = event.data;
      if (entry.kind === 'incident') break;
      const claimId = entry.kind === 'denial' ? after?.parties.flatMap((p) => p.denialsMade).find((d) => d.denialId === entry.denialId)?.claimId : entry.claimId;
      const recorded = claimId ? histories.get(claimId)?.amendments.find((a) => a.amendmentId === amendmentId) : undefined;
      const owner = entry.kind === 'denial' ? findDenialOwner(after, entry.denialId) : findClaimOwner(after, entry.claimId);
      of(owner)?.entriesAmended.push({ amendmentId, entry, reason, changes: recorded?.changes ?? [], ...entryMeta(e) });
      break;
    }
    // Grades are the ledger's assessment, not what a party changed: the claim's history lists them.
    case 'SourceGraded':
    case 'IncidentReported':
    case 'PartyRegistered':
    case 'IncidentMergedInto':
    case 'IncidentsMerged':
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
      break;
    default:
      unhandled(event, 'ledger event');
  }
};

const changesBetween = ({
  incidentId,
  from,
  to,
  earlier,
  later,
  between,
  before,
  laterStore,
}: {
  incidentId: string;
  from: AsOf;
  to: AsOf;
  earlier: LedgerEnvelope[];
  later: LedgerEnvelope[];
  between: LedgerEnvelope[];
  before: PartyVersionsDoc | undefined;
  laterStore: SqliteReadModelStore;
}): IncidentChanges => {
  const after = laterStore.partyVersions(incidentId);
  const incidentAmendments = incidentAmendmentsBetween(laterStore, incidentId, new Set(between.map((e) => e.eventId)));
  const historyCache = new Map<string, ClaimHistoryDoc | undefined>();
  const histories = {
    get: (claimId: string): ClaimHistoryDoc | undefined => {
      if (!historyCache.has(claimId)) historyCache.set(claimId, laterStore.claimHistory(incidentId, claimId));
      return historyCache.get(claimId);
    },
  };

  const partyIds = [...(after?.parties ?? []), ...(before?.parties ?? [])].map((p) => p.partyId).filter((id, i, all) => all.indexOf(id) === i);
  const changes = new Map(
    partyIds.map((partyId) => {
      const was = before?.parties.find((p) => p.partyId === partyId) ?? null;
      const is = after?.parties.find((p) => p.partyId === partyId) ?? null;
      return [partyId, { ...emptyChanges(partyId, was, is), accountChanges: diffValues(accountValues(was), accountValues(is)) }];
    }),
  );
  const of = (partyId: string | undefined): PartyChanges | undefined => (partyId === undefined ? undefined : changes.get(partyId));

  const corrected = new Map<string, CorrectedClaim>();
  const context: AttributionContext = { before, after, histories, of, corrected };
  for (const e of between) attribute(e, context);
  for (const entry of corrected.values()) {
    const versions = histories.get(entry.claimId)!.versions;
    const [first, last] = [versions.find((v) => v.version === entry.fromVersion), versions.find((v) => v.version === entry.toVersion)];
    entry.changes = first && last ? diffValues(fullForm(first), fullForm(last)) : [];
  }

  const changed = (c: PartyChanges): boolean =>
    [c.claimsAdded, c.claimsCorrected, c.claimsRetracted, c.denialsMade, c.denialsReceived, c.entriesAmended, c.accountChanges].some((l) => l.length > 0) ||
    JSON.stringify(c.before) !== JSON.stringify(c.after);

  return {
    incidentId,
    from: asOfToJson(from),
    to: asOfToJson(to),
    fromPosition: lastPositionOf(earlier),
    toPosition: lastPositionOf(later),
    eventIds: between.map((e) => e.eventId),
    incident: { before: before?.incident ?? null, after: after?.incident ?? null, amendments: incidentAmendments },
    parties: [...changes.values()].filter(changed),
    disagreements: compareDisagreements(before?.disagreements ?? [], after?.disagreements ?? []),
  };
}
