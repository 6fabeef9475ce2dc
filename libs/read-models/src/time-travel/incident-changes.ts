import { EntryRef, PointInTime, Source, Statement, unhandled } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { FieldChange, diffValues } from '../field-diff';
import { entryMetaOf } from '../projection/projection-context';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { amendmentsTable, claimsTable, denialsTable } from '../tables/ledger.tables';
import { EntriesPage, EntriesPageRequest, MAX_ENTRIES_LIMIT, entriesPageOf } from '../views/entries-page';
import { ClaimHistoryDoc, ClaimHistoryVersion } from '../views/claim-history.view';
import {
  DenialRecord,
  IncidentFacts,
  NamedDisagreement as Disagreement,
  PartyVersion,
  PartyVersionsDoc,
  PartyVersionsPage,
  RetractionRecord,
} from '../views/party-versions.view';
import { AsOf, AsOfError, AsOfJson, asOfToJson, compareAsOf, envelopesAsOf } from './as-of';
import { Folder, incidentEnvelopes, lastPositionOf, namedBy, withFoldedReadModels } from './time-travel';

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
  /**
   * Ids of the incident's events in at `to` but not at `from`, in log order. On a page: those about the page's claims
   * and denials, and the incident's own events (its report, amendments, merges, splits) on the first page.
   */
  eventIds: string[];
  incident: {
    before: IncidentFacts | null;
    after: IncidentFacts | null;
    /** Ledger amendments of the incident's own facts (title, when, where...). */
    amendments: AmendedEntry[];
  };
  /**
   * Parties whose version changed, in order of their first entry in the incident. On a page: what changed in the
   * page's claims and denials, with `before` and `after` listing only those; `accountChanges` whole.
   */
  parties: PartyChanges[];
  disagreements: DisagreementChanges;
}

/**
 * A page of the changes: the claims and denials of the incident at either moment, in log order, a page at a time, as
 * the versions are paged (`after` is the log position of the last entry of the previous page). The incident's facts,
 * the accounts' changes and the disagreements are whole on every page.
 */
export type IncidentChangesPage = IncidentChanges & { page: EntriesPage };

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
 * With `page`, a page of it (see IncidentChangesPage); InvalidPageError for a bad one.
 */
export function incidentChanges(envelopes: Iterable<LedgerEnvelope>, incidentId: string, from: AsOf, to: AsOf): IncidentChanges;
export function incidentChanges(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  from: AsOf,
  to: AsOf,
  page: EntriesPageRequest,
  fold?: Folder,
): IncidentChangesPage;
/** A page when `page` is given (a caller that pages on request), the whole answer otherwise. */
export function incidentChanges(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  from: AsOf,
  to: AsOf,
  page: EntriesPageRequest | undefined,
): IncidentChanges & { page?: EntriesPage };
export function incidentChanges(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  from: AsOf,
  to: AsOf,
  page?: EntriesPageRequest,
  fold: Folder = withFoldedReadModels,
): IncidentChanges | IncidentChangesPage {
  if (compareAsOf(from, to, 'to') > 0) throw new AsOfError('from', 'from must not be after to');
  const request = page ? entriesPageOf(page) : undefined;
  const all = [...envelopes];
  const own = incidentEnvelopes(all, incidentId);
  const earlier = envelopesAsOf(own, from);
  const later = envelopesAsOf(own, to);
  const earlierIds = new Set(earlier.map((e) => e.eventId));
  const between = later.filter((e) => !earlierIds.has(e.eventId));
  // Both folds open at once: a page is cut from the entries of either moment before either document is read.
  return namedBy(
    all,
    fold(earlier, (earlierStore) => fold(later, (laterStore) => changesBetween({ incidentId, from, to, earlier, later, between, earlierStore, laterStore, request }))),
  );
}

/** A claim's or a denial's key among an incident's entries. */
type EntryKey = `claim:${string}` | `denial:${string}`;

/** The log position of every claim and denial the incident's read models list (the position their pages are cut by). */
const entryPositions = (store: SqliteReadModelStore, incidentId: string): Map<EntryKey, bigint> => {
  const positions = new Map<EntryKey, bigint>();
  for (const c of store.tables.find(claimsTable, { incidentId }, { columns: ['claimId', 'position'] })) positions.set(`claim:${c.claimId}`, c.position);
  for (const d of store.tables.find(denialsTable, { incidentId }, { columns: ['denialId', 'position'] })) positions.set(`denial:${d.denialId}`, d.position);
  return positions;
};

/** The entry an event is about; undefined for the incident's own events. */
const entryOf = (e: LedgerEnvelope): EntryKey | undefined => {
  const event = e.event;
  switch (event.type) {
    case 'ClaimMade':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
    case 'SourceGraded':
      return `claim:${event.data.claimId}`;
    case 'ClaimDenied':
      return `denial:${event.data.denialId}`;
    case 'EntryAmended': {
      const { entry } = event.data;
      return entry.kind === 'claim' ? `claim:${entry.claimId}` : entry.kind === 'denial' ? `denial:${entry.denialId}` : undefined;
    }
    case 'IncidentReported':
    case 'PartyRegistered':
    case 'IncidentMergedInto':
    case 'IncidentsMerged':
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
      return undefined;
    default:
      return unhandled(event, 'ledger event');
  }
};

/** The entries of one page: log positions in (after, upTo]; upTo null on the last page. */
interface EntryRange {
  after: bigint | undefined;
  upTo: bigint | null;
  limit: number;
}

/**
 * The page's range, cut from the entries of both moments together: a claim made in between counts once, and one
 * moved out of the incident in between (a split) still has its page.
 */
const cutPage = (positions: Iterable<bigint>, limit: number, after: bigint | undefined): EntryRange => {
  const sorted = [...new Set(positions)].filter((p) => after === undefined || p > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { after, limit, upTo: sorted.length > limit ? sorted[limit - 1] : null };
};

const inEntryRange = (range: EntryRange, position: bigint): boolean => (range.after === undefined || position > range.after) && (range.upTo === null || position <= range.upTo);

/**
 * The document at one moment with only the range's claims and denials listed. Its store lists at most `limit` of its
 * entries in the range (they are among the entries the range was cut from), so one page of it holds them all.
 */
const documentPage = (store: SqliteReadModelStore, incidentId: string, range: EntryRange, positions: Map<EntryKey, bigint>): PartyVersionsDoc | undefined => {
  const paged: PartyVersionsPage | undefined = store.partyVersions(incidentId, {
    limit: range.limit,
    ...(range.after !== undefined ? { after: range.after.toString() } : {}),
  });
  if (!paged) return undefined;
  const { page: _page, ...doc } = paged;
  const shown = (key: EntryKey): boolean => {
    const position = positions.get(key);
    return position !== undefined && inEntryRange(range, position);
  };
  return {
    ...doc,
    parties: doc.parties.map((p) => ({
      ...p,
      claims: p.claims.filter((c) => shown(`claim:${c.claimId}`)),
      denialsMade: p.denialsMade.filter((d) => shown(`denial:${d.denialId}`)),
    })),
  };
};

/** What attributing one event needs: both moments' documents, looked up by entry, and the changes so far. */
interface AttributionContext {
  /** Each claim's version at the earlier moment. */
  versionBefore: Map<string, number>;
  /** The later moment's denials, and the party of each claim. */
  denialAfter: Map<string, DenialRecord>;
  claimOwnerAfter: Map<string, string>;
  histories: { get(claimId: string): ClaimHistoryDoc | undefined };
  of(partyId: string | undefined): PartyChanges | undefined;
  corrected: Map<string, CorrectedClaim>;
}

/** Adds one event between the two moments to the changes of the party (or parties) it concerns. */
const attribute = (e: LedgerEnvelope, { versionBefore, denialAfter, claimOwnerAfter, histories, of, corrected }: AttributionContext): void => {
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
        const fromVersion = versionBefore.get(event.data.claimId) ?? history.versions[0].version;
        entry = { claimId: event.data.claimId, fromVersion, toVersion: history.currentVersion, corrections: [], changes: [] };
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
      const denial = denialAfter.get(event.data.denialId);
      if (denial) of(event.data.partyId)?.denialsMade.push(denial);
      const { denialId, partyId, claimId } = event.data;
      of(event.data.claimPartyId)?.denialsReceived.push({ denialId, partyId, claimId });
      break;
    }
    case 'EntryAmended': {
      const { amendmentId, entry, reason } = event.data;
      if (entry.kind === 'incident') break;
      const denial = entry.kind === 'denial' ? denialAfter.get(entry.denialId) : undefined;
      const claimId = entry.kind === 'denial' ? denial?.claimId : entry.claimId;
      const recorded = claimId ? histories.get(claimId)?.amendments.find((a) => a.amendmentId === amendmentId) : undefined;
      const owner = entry.kind === 'denial' ? denial?.partyId : claimOwnerAfter.get(entry.claimId);
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
  earlierStore,
  laterStore,
  request,
}: {
  incidentId: string;
  from: AsOf;
  to: AsOf;
  earlier: LedgerEnvelope[];
  later: LedgerEnvelope[];
  between: LedgerEnvelope[];
  earlierStore: SqliteReadModelStore;
  laterStore: SqliteReadModelStore;
  request: { limit?: number; after?: bigint } | undefined;
}): IncidentChanges | IncidentChangesPage => {
  let range: EntryRange | undefined;
  let before: PartyVersionsDoc | undefined;
  let after: PartyVersionsDoc | undefined;
  let onPage = (_e: LedgerEnvelope): boolean => true;
  if (!request) {
    before = earlierStore.partyVersions(incidentId);
    after = laterStore.partyVersions(incidentId);
  } else {
    const positionsBefore = entryPositions(earlierStore, incidentId);
    const positionsAfter = entryPositions(laterStore, incidentId);
    const cut = cutPage([...positionsBefore.values(), ...positionsAfter.values()], request.limit ?? MAX_ENTRIES_LIMIT, request.after);
    range = cut;
    before = documentPage(earlierStore, incidentId, cut, positionsBefore);
    after = documentPage(laterStore, incidentId, cut, positionsAfter);
    // An entry in neither document (made and moved out in between) is placed by the event that recorded it.
    const recordedAt = new Map<EntryKey, bigint>();
    for (const e of between) {
      if (e.event.type === 'ClaimMade') recordedAt.set(`claim:${e.event.data.claimId}`, e.position);
      else if (e.event.type === 'ClaimDenied') recordedAt.set(`denial:${e.event.data.denialId}`, e.position);
    }
    onPage = (e) => {
      const entry = entryOf(e);
      if (entry === undefined) return cut.after === undefined;
      const position = positionsAfter.get(entry) ?? positionsBefore.get(entry) ?? recordedAt.get(entry);
      return position !== undefined ? inEntryRange(cut, position) : cut.after === undefined;
    };
  }
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

  // Looked up once per event: scanning the documents for each would grow with the incident's size squared.
  const versionBefore = new Map(before?.parties.flatMap((p) => p.claims.map((c) => [c.claimId, c.version] as const)) ?? []);
  const denialAfter = new Map(after?.parties.flatMap((p) => p.denialsMade.map((d) => [d.denialId, d] as const)) ?? []);
  const claimOwnerAfter = new Map(after?.parties.flatMap((p) => p.claims.map((c) => [c.claimId, p.partyId] as const)) ?? []);
  const corrected = new Map<string, CorrectedClaim>();
  const context: AttributionContext = { versionBefore, denialAfter, claimOwnerAfter, histories, of, corrected };
  const shown = between.filter(onPage);
  for (const e of shown) attribute(e, context);
  for (const entry of corrected.values()) {
    const versions = histories.get(entry.claimId)!.versions;
    const [first, last] = [versions.find((v) => v.version === entry.fromVersion), versions.find((v) => v.version === entry.toVersion)];
    entry.changes = first && last ? diffValues(fullForm(first), fullForm(last)) : [];
  }

  const changed = (c: PartyChanges): boolean =>
    [c.claimsAdded, c.claimsCorrected, c.claimsRetracted, c.denialsMade, c.denialsReceived, c.entriesAmended, c.accountChanges].some((l) => l.length > 0) ||
    JSON.stringify(c.before) !== JSON.stringify(c.after);

  const answer: IncidentChanges = {
    incidentId,
    from: asOfToJson(from),
    to: asOfToJson(to),
    fromPosition: lastPositionOf(earlier),
    toPosition: lastPositionOf(later),
    eventIds: shown.map((e) => e.eventId),
    incident: { before: before?.incident ?? null, after: after?.incident ?? null, amendments: incidentAmendments },
    parties: [...changes.values()].filter(changed),
    disagreements: compareDisagreements(before?.disagreements ?? [], after?.disagreements ?? []),
  };
  if (!range) return answer;
  const page: EntriesPage = { limit: range.limit, after: range.after?.toString() ?? null, next: range.upTo?.toString() ?? null };
  return { ...answer, page };
};
