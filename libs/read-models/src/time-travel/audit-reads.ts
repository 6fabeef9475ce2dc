import { createHash } from 'node:crypto';
import { incidentStream, partyStream } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { LedgerEnvelope, toEnvelope } from '../envelope';
import { ClaimHistoryDoc } from '../views/claim-history.view';
import { EntriesPage, EntriesPageRequest, MAX_ENTRIES_LIMIT } from '../views/entries-page';
import { GradeFilter } from '../views/grade-filter';
import { PartyVersionsDoc } from '../views/party-versions.view';
import { fillPartyNames } from '../views/party-names';
import { AsOf, AsOfJson, asOfToJson } from './as-of';
import { IncidentChanges, IncidentChangesPage, incidentChanges } from './incident-changes';
import { KeptFolds, claimHistoryAsOf, incidentEnvelopesAsOf, lastPositionOf, linkedIncidentsOf, partyVersionsAsOf } from './time-travel';

/**
 * An auditor's look at an incident's past, as data: folded from the log, whichever thread answers it. `now` (the
 * request's instant, for `changes` without `to`) arrives with the request: the fold reads no clock.
 */
export type AuditRead =
  | { kind: 'versionsAsOf'; incidentId: string; asOf: AsOf; minGrade?: GradeFilter; page?: EntriesPageRequest }
  | { kind: 'claimHistoryAsOf'; incidentId: string; claimId: string; asOf: AsOf }
  | { kind: 'changes'; incidentId: string; from: AsOf; to?: AsOf; now: string; page?: EntriesPageRequest };

/**
 * The answer as UTF-8 JSON with its SHA-256 (base64url, for the ETag), named, serialised and hashed where it was
 * folded: a 5,000-claim incident's answer is 10 to 16 MB, and the HTTP thread spent up to 250 ms of each such read
 * cloning, encoding and hashing what it was handed. The bytes own their buffer, so a thread can hand them over
 * without a copy. Or what was not in the ledger at the moment asked about (a 404).
 */
export type AuditReadAnswer = { found: true; body: Uint8Array; sha256: string } | { found: false; what: string; asOf: AsOfJson };

/**
 * Each party's version and the disagreements as of a moment, with the moment and the log position it corresponds to;
 * `page` when its claims and denials come a page at a time (asked for with a limit, or past WHOLE_AS_OF_MAX_ENTRIES).
 */
export type VersionsAsOf = { asOf: AsOfJson; position: string } & PartyVersionsDoc & { page?: EntriesPage };

/**
 * Claims and denials an as-of answer (or the changes) asked for without a limit holds whole; past that it is their
 * first page. A 5,000-claim incident's whole answer is 10.9 MB (its changes since before it began, 16 MB), and at some 250,000 claims it would pass the longest string V8 can
 * make: the answer must have a bound, as the present's has.
 */
export const WHOLE_AS_OF_MAX_ENTRIES = MAX_ENTRIES_LIMIT;

/** A claim's full history as of a moment, with the moment and the log position it corresponds to. */
export type ClaimHistoryAsOf = { asOf: AsOfJson; position: string } & ClaimHistoryDoc;

/** A bound on the streams one incident's audit reads gathers (merges chain; a cycle stops at the first revisit anyway). */
const MAX_LINKED_STREAMS = 256;

/**
 * Every event of one incident, in log order, with those of the incidents whose entries count in it after merges and
 * splits (each stream read by `read`, given an incident id). The answers folded from it (party versions, claim
 * history, changes) are functions of these streams alone.
 */
export const gatherIncidentLog = async (incidentId: string, read: (incidentId: string) => Promise<LedgerEnvelope[]>): Promise<LedgerEnvelope[]> => {
  const streams = new Map<string, LedgerEnvelope[]>();
  const queue = [incidentId];
  while (queue.length > 0 && streams.size < MAX_LINKED_STREAMS) {
    const id = queue.shift()!;
    if (streams.has(id)) continue;
    const envelopes = await read(id);
    streams.set(id, envelopes);
    queue.push(...linkedIncidentsOf(envelopes));
  }
  const all = [...streams.values()];
  return all.length === 1 ? all[0] : all.flat().sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
};

/** gatherIncidentLog from a store: each stream read whole. */
export const readIncidentLog = (store: EventStore, incidentId: string): Promise<LedgerEnvelope[]> =>
  gatherIncidentLog(incidentId, async (id) => (await store.readStream(incidentStream(id))).map(toEnvelope));

/**
 * Names the parties of a document folded from an incident's streams alone, from each party's registration in the log
 * (a party is never renamed, so its registration names it at any moment): one short read per party the document names.
 */
export const nameFromLog = async <T>(store: EventStore, doc: T): Promise<T> => {
  const ids = new Set<string>();
  fillPartyNames(doc, (partyId) => {
    ids.add(partyId);
    return null;
  });
  const names = new Map<string, string>();
  for (const partyId of ids) {
    const [registered] = await store.readStream(partyStream(partyId), { maxCount: 1 });
    const first = registered ? toEnvelope(registered).event : undefined;
    if (first?.type === 'PartyRegistered') names.set(partyId, first.data.name);
  }
  return fillPartyNames(doc, (partyId) => names.get(partyId) ?? null);
};

const found = async <T extends object>(store: EventStore, answer: T): Promise<AuditReadAnswer> => {
  const body = new TextEncoder().encode(JSON.stringify(await nameFromLog(store, answer)));
  return { found: true, body, sha256: createHash('sha256').update(body).digest('base64url') };
};

/** Answers an audit read from `store`, reusing a fold `folds` keeps; AsOfError for moments that do not compare (from after to). */
export const runAuditRead = async (store: EventStore, read: AuditRead, folds?: KeptFolds): Promise<AuditReadAnswer> => {
  const fold = folds?.fold;
  const log = await readIncidentLog(store, read.incidentId);
  switch (read.kind) {
    case 'versionsAsOf': {
      const doc = partyVersionsAsOf(log, read.incidentId, read.asOf, read.minGrade, read.page ?? { limit: WHOLE_AS_OF_MAX_ENTRIES }, fold);
      if (!doc?.incident) return { found: false, what: `Incident ${read.incidentId}`, asOf: asOfToJson(read.asOf) };
      // Asked for without a limit and whole within the bound: the document as it always was, with no page.
      const { page, ...whole } = doc;
      const answer = read.page || page.next !== null ? doc : whole;
      return found<VersionsAsOf>(store, { asOf: asOfToJson(read.asOf), position: doc.lastPosition, ...answer });
    }
    case 'claimHistoryAsOf': {
      const doc = claimHistoryAsOf(log, read.incidentId, read.claimId, read.asOf);
      if (!doc) return { found: false, what: `Claim ${read.claimId} of incident ${read.incidentId}`, asOf: asOfToJson(read.asOf) };
      // The incident's cut, like the versions answer: asking again at this position gives the same history.
      return found<ClaimHistoryAsOf>(store, { asOf: asOfToJson(read.asOf), position: lastPositionOf(incidentEnvelopesAsOf(log, read.incidentId, read.asOf)), ...doc });
    }
    case 'changes': {
      const { from } = read;
      const until: AsOf = read.to ?? (from.clock === 'position' ? { clock: 'position', position: await store.headPosition() } : { clock: from.clock, at: read.now });
      const changes = incidentChanges(log, read.incidentId, from, until, read.page ?? { limit: WHOLE_AS_OF_MAX_ENTRIES }, fold);
      if (!changes.incident.after) return { found: false, what: `Incident ${read.incidentId}`, asOf: changes.to };
      // As the versions: asked for without a limit and whole within the bound, the document as it always was.
      const { page, ...whole } = changes;
      return found<IncidentChanges | IncidentChangesPage>(store, read.page || page.next !== null ? changes : whole);
    }
  }
};
