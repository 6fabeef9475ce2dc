import { IncidentMergedIntoData, IncidentSplitData } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import {
  MovedEntryRow,
  amendmentsTable,
  claimVersionsTable,
  claimsTable,
  denialsTable,
  disagreementsTable,
  incidentPartiesTable,
  incidentsTable,
  movedEntriesTable,
  sourceGradesTable,
} from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { countInRecord, emptyIncident } from './incidents.projection';
import { claimChanged, denialChanged } from './positions.projection';
import { IncidentContext } from './projection-context';
import { putIncident } from './incidents-by-day.projection';

/**
 * Merges and splits move where entries count, never where they are recorded:
 * a claim's events stay in the stream that recorded it (its consistency
 * boundary), and its rows (claims, claim_versions, denials, amendments) move
 * to the incident it counts in, once, at the event that commits the move. A
 * `moved_entries` row then routes every later event of that stream about the
 * entry (a correction, a denial, a retraction, an amendment) to the rows'
 * incident: one lookup per event, whatever the size of either incident.
 */

type Move = Pick<MovedEntryRow, 'movedBy' | 'moveId'>;

/** Merges chain (A into S, then S into Y); a cycle (two merges crossing on two replicas) stops the walk. */
const MAX_CHAIN = 64;

/** The incident `incidentId`'s entries count in: itself, or the end of its chain of merges; undefined on a cycle back to `origin`. */
export const finalSurvivorOf = (t: TableAccess, incidentId: string, origin?: string): string | undefined => {
  let current = incidentId;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (current === origin) return undefined;
    const next = t.get(incidentsTable, { incidentId: current })?.mergedInto;
    if (!next) return current;
    current = next;
  }
  return undefined;
};

/** The incident whose rows hold an entry recorded under `recordedIn`: where a merge or split moved it, else its own. */
export const homeOf = (t: TableAccess, recordedIn: string, entryId: string): string => t.get(movedEntriesTable, { recordedIn, entryId })?.incidentId ?? recordedIn;

/** The incident an entry now under `incidentId` was recorded under. */
const recordedInOf = (t: TableAccess, incidentId: string, entryId: string): string =>
  t.find(movedEntriesTable, { incidentId, entryId }, { limit: 1 })[0]?.recordedIn ?? incidentId;

/** Points the entry at the incident it counts in now; an entry back where it was recorded needs no row. */
const noteMove = (t: TableAccess, e: LedgerEnvelope, entry: Pick<MovedEntryRow, 'recordedIn' | 'entryId' | 'entryKind' | 'incidentId'>, move: Move): void => {
  if (entry.recordedIn === entry.incidentId) t.delete(movedEntriesTable, entry);
  else t.put(movedEntriesTable, { ...entry, ...move, position: e.position });
};

/** A denial recorded in one incident's stream of a claim that counts in another follows its claim. */
export const noteRoutedDenial = (ctx: IncidentContext, recordedIn: string, denialId: string, claimId: string): void => {
  if (recordedIn === ctx.incidentId) return;
  const claimMove = ctx.t.get(movedEntriesTable, { recordedIn, entryId: claimId });
  noteMove(ctx.t, ctx.e, { recordedIn, entryId: denialId, entryKind: 'denial', incidentId: ctx.incidentId }, claimMove ?? { movedBy: 'merge', moveId: '' });
};

export const incidentContext = (t: TableAccess, e: LedgerEnvelope, incidentId: string): IncidentContext => ({
  t,
  e,
  incidentId,
  incident: { ...(t.get(incidentsTable, { incidentId }) ?? emptyIncident(incidentId)) },
});

/** Stores an incident whose rows an event of another stream changed: its counters, not its stream's revision. */
export const saveOtherIncident = (ctx: IncidentContext): void => {
  putIncident(ctx.t, { ...ctx.incident, contested: ctx.incident.disagreements > 0 });
};

const joinAt = (t: TableAccess, incidentId: string, partyId: string, position: bigint): void => {
  if (t.get(incidentPartiesTable, { incidentId, partyId })) return;
  t.put(incidentPartiesTable, { incidentId, partyId, firstPosition: position });
  countInRecord(t, partyId, 'incidents');
};

/**
 * Moves one claim, with its versions, its denials and their amendments, from
 * `from` to `to`, and re-chooses the positions and disagreements of both
 * incidents on what it asserted (the same deltas as a claim retracted in one
 * and made in the other). O(rows of the claim), once.
 */
const moveClaim = (from: IncidentContext, to: IncidentContext, claimId: string, move: Move): void => {
  const { t, e } = from;
  const claim = t.get(claimsTable, { incidentId: from.incidentId, claimId });
  if (!claim) return;
  const recordedIn = recordedInOf(t, from.incidentId, claimId);
  t.delete(claimsTable, { incidentId: from.incidentId, claimId });
  claimChanged(from, claim, undefined);

  const versions = t.find(claimVersionsTable, { incidentId: from.incidentId, claimId });
  for (const version of versions) {
    t.delete(claimVersionsTable, version);
    t.put(claimVersionsTable, { ...version, incidentId: to.incidentId });
  }
  const denials = t.find(denialsTable, { incidentId: from.incidentId, claimId });
  for (const denial of denials) {
    const denialRecordedIn = recordedInOf(t, from.incidentId, denial.denialId);
    t.delete(denialsTable, denial);
    t.put(denialsTable, { ...denial, incidentId: to.incidentId });
    const point = { incidentId: from.incidentId, kind: 'denial' as const, key: denial.denialId };
    if (t.get(disagreementsTable, point)) {
      t.delete(disagreementsTable, point);
      from.incident.disagreements -= 1;
    }
    joinAt(t, to.incidentId, denial.partyId, denial.position);
    noteMove(t, e, { recordedIn: denialRecordedIn, entryId: denial.denialId, entryKind: 'denial', incidentId: to.incidentId }, move);
    denialChanged(to, denial.denialId);
  }
  const amendments = t.find(amendmentsTable, { incidentId: from.incidentId, claimId });
  for (const amendment of amendments) {
    t.delete(amendmentsTable, amendment);
    t.put(amendmentsTable, { ...amendment, incidentId: to.incidentId });
  }
  // The grades given to its versions are its history too: the claim's history in its new incident lists them.
  for (const grade of t.find(sourceGradesTable, { incidentId: from.incidentId, claimId })) {
    t.delete(sourceGradesTable, grade);
    t.put(sourceGradesTable, { ...grade, incidentId: to.incidentId });
  }

  joinAt(t, to.incidentId, claim.partyId, claim.position);
  const moved = { ...claim, incidentId: to.incidentId };
  t.put(claimsTable, moved);
  claimChanged(to, undefined, moved);
  noteMove(t, e, { recordedIn, entryId: claimId, entryKind: 'claim', incidentId: to.incidentId }, move);

  const counts = {
    claims: 1,
    activeClaims: claim.retracted ? 0 : 1,
    corrections: Math.max(versions.length - 1, 0),
    retractions: claim.retracted ? 1 : 0,
    denials: denials.length,
    amendments: amendments.length,
  };
  for (const [key, n] of Object.entries(counts) as Array<[keyof typeof counts, number]>) {
    from.incident[key] -= n;
    to.incident[key] += n;
  }
};

/**
 * The absorbed incident's claims (its own and any merged or split into it
 * before) count in the survivor from the commit point on: the survivor at
 * the end of its chain, so a merge into an incident merged meanwhile lands
 * where that one's entries are.
 */
export const mergeInto = (ctx: IncidentContext, data: IncidentMergedIntoData): void => {
  ctx.incident.mergedInto = data.survivorId;
  const survivor = finalSurvivorOf(ctx.t, data.survivorId, ctx.incidentId);
  if (survivor === undefined) return;
  const to = incidentContext(ctx.t, ctx.e, survivor);
  const move: Move = { movedBy: 'merge', moveId: data.mergeId };
  for (const claim of ctx.t.find(claimsTable, { incidentId: ctx.incidentId })) moveClaim(ctx, to, claim.claimId, move);
  saveOtherIncident(to);
};

/** The chosen claims of the source count in the new incident from the commit point on. */
export const splitOff = (ctx: IncidentContext, data: IncidentSplitData): void => {
  const target = finalSurvivorOf(ctx.t, data.newIncidentId) ?? data.newIncidentId;
  const to = incidentContext(ctx.t, ctx.e, target);
  const move: Move = { movedBy: 'split', moveId: data.splitId };
  for (const claimId of data.claimIds) {
    const home = homeOf(ctx.t, data.incidentId, claimId);
    if (home === target) continue;
    if (home === ctx.incidentId) {
      moveClaim(ctx, to, claimId, move);
    } else {
      const from = incidentContext(ctx.t, ctx.e, home);
      moveClaim(from, to, claimId, move);
      saveOtherIncident(from);
    }
  }
  saveOtherIncident(to);
};
