import { EntryRef, PointInTime, Source, Statement } from '@ledger/domain';
import { Disagreement } from '../disagreements';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { FieldChange, diffValues } from '../field-diff';
import { cloneDocument, foldProjection } from '../projection';
import { ClaimHistoryDoc, ClaimHistoryVersion, claimHistoryProjection } from '../projections/claim-history.projection';
import {
  DenialRecord,
  IncidentFacts,
  PartyVersion,
  PartyVersionsDoc,
  RetractionRecord,
  evolvePartyVersions,
  partyVersionsProjection,
} from '../projections/party-versions.projection';
import { AsOf, AsOfError, AsOfJson, asOfToJson, compareAsOf, envelopesAsOf } from './as-of';
import { incidentEnvelopes, lastPositionOf } from './time-travel';

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

/**
 * Folds the later moment's envelopes with the party-versions projection's
 * own fold, noting the incident's facts around each amendment of them that
 * lies between the two moments (the read model keeps only their final form).
 */
const foldLater = (
  envelopes: LedgerEnvelope[],
  between: ReadonlySet<string>,
): { doc: PartyVersionsDoc | undefined; incidentAmendments: AmendedEntry[] } => {
  let doc: PartyVersionsDoc | undefined;
  const incidentAmendments: AmendedEntry[] = [];
  for (const e of envelopes) {
    const event = e.event;
    const amendsIncident = event.type === 'EntryAmended' && event.data.entry.kind === 'incident' && between.has(e.eventId);
    const before = amendsIncident && doc?.incident ? cloneDocument(doc.incident) : null;
    doc = evolvePartyVersions(doc, e);
    if (amendsIncident && event.type === 'EntryAmended') {
      const pick = (facts: IncidentFacts | null | undefined) =>
        facts ? { title: facts.title, summary: facts.summary, category: facts.category, occurred: facts.occurred, location: facts.location } : null;
      incidentAmendments.push({
        amendmentId: event.data.amendmentId,
        entry: event.data.entry,
        reason: event.data.reason,
        changes: diffValues(pick(before), pick(doc?.incident)),
        ...entryMeta(e),
      });
    }
  }
  return { doc, incidentAmendments };
};

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
  const own = incidentEnvelopes(envelopes, incidentId);
  const earlier = envelopesAsOf(own, from);
  const later = envelopesAsOf(own, to);
  const earlierIds = new Set(earlier.map((e) => e.eventId));
  const between = later.filter((e) => !earlierIds.has(e.eventId));
  const betweenIds = new Set(between.map((e) => e.eventId));

  const before = foldProjection(partyVersionsProjection, earlier).get(incidentId);
  const { doc: after, incidentAmendments } = foldLater(later, betweenIds);
  const histories = foldProjection(claimHistoryProjection, later) as Map<string, ClaimHistoryDoc>;

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
  for (const e of between) {
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
      default:
        break;
    }
  }
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
