import { createHash } from 'node:crypto';
import { fillPartyNames } from '../views/party-names';
import { IncidentEvent, LedgerEvent, unhandled } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { ClaimHistoryDoc } from '../views/claim-history.view';
import { GradeFilter, filtersGrade } from '../views/grade-filter';
import { PartyVersionsDoc, PartyVersionsPage } from '../views/party-versions.view';
import { EntriesPage, EntriesPageRequest } from '../views/entries-page';
import { AsOf, envelopesAsOf } from './as-of';

/**
 * An empty read-model store to fold part of the log into and throw away: SQLite's temporary database (an empty file
 * name), not `:memory:`. It keeps pages in its cache and spills the rest to a file SQLite deletes on close, so the
 * fold's tables do not grow the process with the incident (folding one of 5,000 claims grew it by 68 to 123 MB in
 * memory, by nothing so, at the same speed). Close it when done.
 */
export const throwawayReadModelStore = (): SqliteReadModelStore => new SqliteReadModelStore({ filename: '' });

/**
 * The read models of part of the log, in a throwaway store: the projection that feeds the live tables, folded over
 * the envelopes given, and the same views on top. Close it when done.
 */
export const foldReadModels = (envelopes: Iterable<LedgerEnvelope>): SqliteReadModelStore => {
  const store = throwawayReadModelStore();
  try {
    store.apply(envelopes);
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
};

/** Runs `read` over the read models of the envelopes given, and throws the store away. */
export const withFoldedReadModels = <T>(envelopes: Iterable<LedgerEnvelope>, read: (store: SqliteReadModelStore) => T): T => {
  const store = foldReadModels(envelopes);
  try {
    return read(store);
  } finally {
    store.close();
  }
};

/** Folds envelopes into a store and reads it: withFoldedReadModels, or a KeptFolds' fold. */
export type Folder = <T>(envelopes: readonly LedgerEnvelope[], read: (store: SqliteReadModelStore) => T) => T;

interface KeptFold {
  store: SqliteReadModelStore;
  usedAt: number;
  reading: number;
  /** How many events it folded. */
  count: number;
}

/**
 * The last few folds, kept open for the next read of the same events: an auditor paging through a large incident's
 * past, or asking for its changes after its versions, folds each moment once, not once a page (a fold of 5,000
 * claims takes about a second; a page read from it, milliseconds). A fold is known by the ids of the events folded,
 * whatever moment or clock chose them, and a later moment whose events start with a kept fold's takes that fold and
 * folds only the events after it. Each lives in SQLite's temporary database, so what is kept is mostly on disk, and a
 * fold unused for `idleMs` is closed.
 */
export class KeptFolds {
  private readonly folds = new Map<string, KeptFold>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly capacity: number;

  constructor(
    capacity = 2,
    private readonly idleMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    // The changes read two folds, one inside the other.
    this.capacity = Math.max(2, capacity);
  }

  get size(): number {
    return this.folds.size;
  }

  readonly fold: Folder = (envelopes, read) => {
    this.closeIdle();
    // The key of the events folded, and of each prefix of them as long as a kept fold: a kept fold of the first n
    // events, once they are all in, is the next one's start.
    const counts = new Set([...this.folds.values()].map((f) => f.count));
    const prefixKeys = new Map<number, string>();
    const hash = createHash('sha256');
    envelopes.forEach((e, i) => {
      hash.update(e.eventId).update('\n');
      if (counts.has(i + 1) && i + 1 < envelopes.length) prefixKeys.set(i + 1, hash.copy().digest('base64url'));
    });
    const key = hash.digest('base64url');
    let kept = this.folds.get(key);
    if (kept) this.folds.delete(key);
    else kept = this.extended(envelopes, prefixKeys) ?? { store: foldReadModels(envelopes), usedAt: 0, reading: 0, count: envelopes.length };
    kept.usedAt = this.now();
    this.folds.set(key, kept);
    for (const [oldest, { store, reading }] of this.folds) {
      if (this.folds.size <= this.capacity) break;
      if (reading > 0) continue;
      this.folds.delete(oldest);
      store.close();
    }
    this.closeIdleLater();
    kept.reading += 1;
    try {
      return read(kept.store);
    } finally {
      kept.reading -= 1;
    }
  };

  close(): void {
    clearTimeout(this.idleTimer);
    for (const { store } of this.folds.values()) store.close();
    this.folds.clear();
  }

  /**
   * The longest kept fold of a prefix of `envelopes` that nothing is reading, taken out and brought up to all of them
   * by folding the rest into it (the projection applies events in log order, so this is the fold of them all): an
   * auditor stepping an incident's past forward folds each step's new events only.
   */
  private extended(envelopes: readonly LedgerEnvelope[], prefixKeys: ReadonlyMap<number, string>): KeptFold | undefined {
    let base: [string, KeptFold] | undefined;
    for (const [key, fold] of this.folds) {
      if (fold.reading === 0 && prefixKeys.get(fold.count) === key && (!base || fold.count > base[1].count)) base = [key, fold];
    }
    if (!base) return undefined;
    const [key, fold] = base;
    this.folds.delete(key);
    try {
      fold.store.apply(envelopes.slice(fold.count));
    } catch (error) {
      fold.store.close();
      throw error;
    }
    fold.count = envelopes.length;
    return fold;
  }

  private closeIdle(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [key, { store, usedAt, reading }] of this.folds) {
      if (usedAt > cutoff || reading > 0) continue;
      this.folds.delete(key);
      store.close();
    }
  }

  private closeIdleLater(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.closeIdle(), this.idleMs + 1);
    this.idleTimer.unref();
  }
}

/**
 * The events about one incident. Every read model of an incident is a
 * function of its own stream (party rows aside, which the incident answers
 * do not read), so dropping other incidents' events and the party registry
 * before the fold changes nothing but the cost.
 */
export const incidentEnvelopes = (envelopes: Iterable<LedgerEnvelope>, incidentId: string): LedgerEnvelope[] => {
  const all = [...envelopes];
  const related = relatedIncidents(all, incidentId);
  const out: LedgerEnvelope[] = [];
  for (const e of all) if (e.event.type !== 'PartyRegistered' && related.has((e.event as IncidentEvent).data.incidentId)) out.push(e);
  return out;
};

/**
 * The incident and those whose streams hold entries that count in it: the
 * incidents it absorbed (IncidentsMerged) and the one it was split from
 * (IncidentSplitFrom), and theirs in turn. Its read models are a function of
 * these streams.
 */
export const relatedIncidents = (envelopes: readonly LedgerEnvelope[], incidentId: string): Set<string> => {
  const related = new Set([incidentId]);
  const linked = new Map<string, string[]>();
  for (const { event } of envelopes) {
    const from = event.type === 'IncidentsMerged' ? event.data.absorbedId : event.type === 'IncidentSplitFrom' ? event.data.sourceId : undefined;
    if (from !== undefined && event.type !== 'PartyRegistered') linked.set(event.data.incidentId, [...(linked.get(event.data.incidentId) ?? []), from]);
  }
  const queue = [incidentId];
  while (queue.length > 0) {
    for (const next of linked.get(queue.pop()!) ?? []) if (!related.has(next)) related.add(next) && queue.push(next);
  }
  return related;
};

/** The ids of the incidents a stream's events link to as holding entries that count in it (see relatedIncidents). */
export const linkedIncidentsOf = (envelopes: readonly LedgerEnvelope[]): string[] =>
  envelopes.flatMap(({ event }) => (event.type === 'IncidentsMerged' ? [event.data.absorbedId] : event.type === 'IncidentSplitFrom' ? [event.data.sourceId] : []));

/** The incident's envelopes as of `asOf` (all of them without one). */
export const incidentEnvelopesAsOf = (envelopes: Iterable<LedgerEnvelope>, incidentId: string, asOf?: AsOf): LedgerEnvelope[] => {
  const own = incidentEnvelopes(envelopes, incidentId);
  return asOf ? envelopesAsOf(own, asOf) : own;
};

/**
 * Each party's version of the incident and the disagreements as of `asOf`:
 * the ledger's projection folded over the log up to that moment. Undefined
 * when nothing of the incident is in by then. On the stated clock the
 * incident is always there once reported (see envelopesAsOf), possibly with
 * no party versions yet.
 */
export function partyVersionsAsOf(envelopes: Iterable<LedgerEnvelope>, incidentId: string, asOf: AsOf, minGrade?: GradeFilter): PartyVersionsDoc | undefined;
export function partyVersionsAsOf(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  asOf: AsOf,
  minGrade: GradeFilter | undefined,
  page: EntriesPageRequest,
  fold?: Folder,
): PartyVersionsPage | undefined;
/** A page when `page` is given (a caller that pages on request), the whole document otherwise. */
export function partyVersionsAsOf(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  asOf: AsOf,
  minGrade: GradeFilter | undefined,
  page: EntriesPageRequest | undefined,
): (PartyVersionsDoc & { page?: EntriesPage }) | undefined;
/**
 * `page`: a page of the claims and denials, as the present's versions are paged (the parties, accounts and
 * disagreements whole); without it, the whole document.
 */
export function partyVersionsAsOf(
  envelopes: Iterable<LedgerEnvelope>,
  incidentId: string,
  asOf: AsOf,
  minGrade?: GradeFilter,
  page?: EntriesPageRequest,
  fold: Folder = withFoldedReadModels,
): PartyVersionsDoc | PartyVersionsPage | undefined {
  const all = [...envelopes];
  const read = (store: SqliteReadModelStore): PartyVersionsDoc | PartyVersionsPage | undefined => {
    if (page) return store.partyVersions(incidentId, { ...page, ...(filtersGrade(minGrade) ? { minGrade } : {}) });
    if (!filtersGrade(minGrade)) return store.partyVersions(incidentId);
    // The whole document under the minimum: a request without a limit is not paged.
    const paged = store.partyVersions(incidentId, { minGrade });
    if (!paged) return undefined;
    const { page: _whole, ...doc } = paged;
    return doc;
  };
  return namedBy(all, fold(incidentEnvelopesAsOf(all, incidentId, asOf), read));
}

/**
 * The incident's fold has no party registrations: the names come from those among the envelopes given (a party is
 * never renamed, so a later registration names it as well as an earlier one); a party with none keeps a null name.
 */
export const namedBy = <T>(envelopes: readonly LedgerEnvelope[], doc: T): T => {
  const names = new Map<string, string>();
  for (const { event } of envelopes) if (event.type === 'PartyRegistered') names.set(event.data.partyId, event.data.name);
  return fillPartyNames(doc, (partyId) => names.get(partyId) ?? null);
};

/**
 * The claim's history as of `asOf` (now without one): the projection folded
 * over the log up to that moment. Undefined when the claim was not made by
 * then, or belongs to another incident.
 */
export function claimHistoryAsOf(envelopes: Iterable<LedgerEnvelope>, incidentId: string, claimId: string, asOf?: AsOf): ClaimHistoryDoc | undefined {
  const all = [...envelopes];
  return namedBy(all, withFoldedReadModels(claimEnvelopes(incidentEnvelopesAsOf(all, incidentId, asOf), claimId), (store) => store.claimHistory(incidentId, claimId)));
}

/**
 * The events a claim's history is a function of, out of an incident's: those of the claim and of the claims that
 * supersede it (a superseding claim made or retracted changes the claim's row), the denials of any of them and the
 * amendments of their entries, and the incident's own (its report, amendments, merges and splits). Folding these
 * rather than the whole incident gives the same history at a cost that does not grow with the incident's other
 * claims: one claim of a 5,000-claim incident took 0.9 to 1.3 s to fold whole.
 */
export const claimEnvelopes = (envelopes: readonly LedgerEnvelope[], claimId: string): LedgerEnvelope[] => {
  const claims = new Set([claimId]);
  for (const { event } of envelopes) if (event.type === 'ClaimMade' && event.data.supersedes?.includes(claimId)) claims.add(event.data.claimId);
  const denials = new Set<string>();
  for (const { event } of envelopes) if (event.type === 'ClaimDenied' && claims.has(event.data.claimId)) denials.add(event.data.denialId);
  return envelopes.filter(({ event }) => concernsClaims(event, claims, denials));
};

const concernsClaims = (event: LedgerEvent, claims: ReadonlySet<string>, denials: ReadonlySet<string>): boolean => {
  switch (event.type) {
    case 'ClaimMade':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
    case 'ClaimDenied':
    case 'SourceGraded':
      return claims.has(event.data.claimId);
    case 'EntryAmended': {
      const entry = event.data.entry;
      return entry.kind === 'incident' || (entry.kind === 'denial' ? denials.has(entry.denialId) : claims.has(entry.claimId));
    }
    case 'IncidentReported':
    case 'IncidentMergedInto':
    case 'IncidentsMerged':
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
    case 'PartyRegistered':
      return true;
    default:
      return unhandled(event, 'ledger event');
  }
};

/** Global position of the last envelope in, as a decimal string ('0' when none): the log position an as-of answer corresponds to. */
export const lastPositionOf = (envelopes: readonly LedgerEnvelope[]): string => {
  let last = 0n;
  for (const e of envelopes) if (e.position > last) last = e.position;
  return last.toString();
};
