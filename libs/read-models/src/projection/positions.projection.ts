import { AssertionField, assertedFields, structurallyEqual } from '@ledger/domain';
import { DISAGREEMENT_KINDS, DISAGREEMENT_KIND_OF, Disagreement, PartyAccount, denialDisagreement, disagreementsOnField } from '../disagreements';
import {
  ClaimRow,
  DenialRow,
  DisagreementRow,
  IncidentRow,
  PartyPositionRow,
  claimFieldsTable,
  claimVersionsTable,
  claimsTable,
  denialsTable,
  disagreementsTable,
  incidentsTable,
  partyPositionsTable,
} from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { partyOrderIn } from './incidents.projection';
import { IncidentContext } from './projection-context';

/**
 * A party's position on a point (assertion field) is the value of its
 * standing claim stated latest that asserts the field (stated time, then log
 * position). `claim_fields` indexes the standing claims per point, so a
 * change to one claim re-chooses only the points it asserts, by one index
 * lookup each, and re-computes the disagreements of only those points from
 * the parties' positions on them.
 */
const standingFields = (claim: ClaimRow | undefined): AssertionField[] => (claim && !claim.retracted ? assertedFields(claim.assertions) : []);

type Ranked = Pick<ClaimRow, 'statedOrder' | 'versionPosition'>;

/** Whether `a` supersedes `b`: stated later, or stated at the same time and recorded later. */
const supersedes = (a: Ranked, b: Ranked): boolean => a.statedOrder > b.statedOrder || (a.statedOrder === b.statedOrder && a.versionPosition > b.versionPosition);

/**
 * Brings the positions and disagreements up to date after a claim changed
 * from `before` to `after` (undefined: absent). Call it after the claim's row
 * is stored. The common cases (a new claim, a correction stating later) are
 * decided against the position row alone; only a holder that falls back (it
 * is retracted, drops the field, or is moved earlier) makes the party's other
 * standing claims on that point be looked up, by one index seek.
 */
export const claimChanged = (ctx: IncidentContext, before: ClaimRow | undefined, after: ClaimRow | undefined): void => {
  const claim = after ?? before;
  if (!claim) return;
  const { incidentId, partyId, claimId } = claim;
  const [was, now] = [standingFields(before), standingFields(after)];
  const moved = !before || !after || before.statedOrder !== after.statedOrder || before.versionPosition !== after.versionPosition;
  const indexed = (field: AssertionField, ranked: Ranked) => ({ incidentId, partyId, field, statedOrder: ranked.statedOrder, versionPosition: ranked.versionPosition, claimId });
  for (const field of was) {
    if (now.includes(field) && !moved) continue;
    ctx.t.delete(claimFieldsTable, indexed(field, before!));
    if (!now.includes(field) && ctx.t.get(partyPositionsTable, { incidentId, partyId, field })?.claimId === claimId) choosePosition(ctx, partyId, field);
  }
  for (const field of now) {
    const added = !was.includes(field);
    const valueChanged = added || !structurallyEqual(before!.assertions[field], after!.assertions[field]);
    if (!valueChanged && !moved) continue;
    if (added || moved) ctx.t.put(claimFieldsTable, indexed(field, after!));
    const held = ctx.t.get(partyPositionsTable, { incidentId, partyId, field });
    if (held?.claimId === claimId && before && supersedes(before, after!)) choosePosition(ctx, partyId, field);
    else if (!held || held.claimId === claimId || supersedes(after!, held)) holdPosition(ctx, field, after!, held);
  }
};

/** Makes `claim` the party's position on `field`, and re-computes the point's disagreements if what the party holds changed. */
const holdPosition = (ctx: IncidentContext, field: AssertionField, claim: ClaimRow, held: PartyPositionRow | undefined): void => {
  const { incidentId, partyId, claimId, statedAt, statedOrder, versionPosition } = claim;
  const next: PartyPositionRow = {
    incidentId,
    partyId,
    field,
    claimId,
    value: claim.assertions[field],
    statedAt,
    statedOrder,
    versionPosition,
    partyOrder: held?.partyOrder ?? partyOrderIn(ctx.t, incidentId, partyId),
  };
  if (held && structurallyEqual(held, next)) return;
  ctx.t.put(partyPositionsTable, next);
  // The points follow the values and show the claims positions rest on: any change of the row may change them.
  disagreeOn(ctx, field);
};

/** Chooses the party's position on `field` again from all its standing claims asserting it. */
const choosePosition = (ctx: IncidentContext, partyId: string, field: AssertionField): void => {
  const { t, incidentId } = ctx;
  const [top] = t.find(
    claimFieldsTable,
    { incidentId, partyId, field },
    { orderBy: [{ column: 'statedOrder', desc: true }, { column: 'versionPosition', desc: true }], limit: 1 },
  );
  const held = t.get(partyPositionsTable, { incidentId, partyId, field });
  const claim = top ? t.get(claimsTable, { incidentId, claimId: top.claimId }) : undefined;
  if (claim) {
    holdPosition(ctx, field, claim, held);
  } else if (held) {
    t.delete(partyPositionsTable, { incidentId, partyId, field });
    disagreeOn(ctx, field);
  }
};

/** What an incident's events changed since the fold last settled, that its points of disagreement are computed from. */
interface Unsettled {
  /** Points (assertion fields) whose positions changed. */
  fields: Set<AssertionField>;
  /** Denials made or amended. */
  denials: Set<string>;
  /** Claims that changed: their denials show the claims' current values. */
  deniedClaims: Set<string>;
}

/**
 * By TableAccess (the store folding the batch), then incident: the points of disagreement are computed once, when the
 * batch settles, instead of at every position an incident's claims move (13 times for five parties) and at every change
 * of a denied claim. They are a function of the positions, denials and claims alone, so when they are computed does not
 * change them.
 */
const unsettled = new WeakMap<TableAccess, Map<string, Unsettled>>();

const unsettledIn = (ctx: IncidentContext): Unsettled => {
  let incidents = unsettled.get(ctx.t);
  if (!incidents) unsettled.set(ctx.t, (incidents = new Map()));
  let changed = incidents.get(ctx.incidentId);
  if (!changed) incidents.set(ctx.incidentId, (changed = { fields: new Set(), denials: new Set(), deniedClaims: new Set() }));
  return changed;
};

const disagreeOn = (ctx: IncidentContext, field: AssertionField): void => void unsettledIn(ctx).fields.add(field);

/** A denial was made or amended: its point is computed when the batch settles. */
export const denialChanged = (ctx: IncidentContext, denialId: string): void => void unsettledIn(ctx).denials.add(denialId);

/** The claim changed (corrected, amended, retracted): what its denials dispute follows it when the batch settles. */
export const denialsFollowClaim = (ctx: IncidentContext, claim: ClaimRow): void => {
  if (claim.denials > 0) unsettledIn(ctx).deniedClaims.add(claim.claimId);
};

/** Recomputes the points of disagreement the fold changed the inputs of since it last settled. */
export const settleDisagreements = (t: TableAccess): void => {
  const incidents = unsettled.get(t);
  if (!incidents) return;
  unsettled.delete(t);
  for (const [incidentId, changed] of incidents) {
    const stored = t.get(incidentsTable, { incidentId });
    if (!stored) continue;
    const incident = { ...stored, disputedPoints: { ...stored.disputedPoints } };
    for (const field of changed.fields) replacePoints(t, incident, field);
    for (const claimId of changed.deniedClaims) {
      for (const denial of t.find(denialsTable, { incidentId, claimId }, { orderBy: [{ column: 'position' }] })) changed.denials.add(denial.denialId);
    }
    for (const denialId of changed.denials) {
      const denial = t.get(denialsTable, { incidentId, denialId });
      if (denial) replaceDenialPoint(t, incident, denial, t.get(claimsTable, { incidentId, claimId: denial.claimId }));
    }
    // Kinds in a fixed order, so the stored JSON does not depend on which point changed first.
    const disputedPoints: IncidentRow['disputedPoints'] = {};
    for (const kind of DISAGREEMENT_KINDS) if (incident.disputedPoints[kind]) disputedPoints[kind] = incident.disputedPoints[kind];
    t.put(incidentsTable, { ...incident, disputedPoints, contested: incident.disagreements > 0 });
  }
};

/** Replaces the incident's points of disagreement on one field with those the parties' current positions give. */
const replacePoints = (t: TableAccess, incident: IncidentRow, field: AssertionField): void => {
  const { incidentId } = incident;
  const accounts: PartyAccount[] = t
    .find(partyPositionsTable, { incidentId, field }, { orderBy: [{ column: 'partyOrder' }] })
    .map((p) => ({ partyId: p.partyId, account: { [field]: { value: p.value, claimId: p.claimId, statedAt: p.statedAt } } }));
  const kind = DISAGREEMENT_KIND_OF[field];
  const found = disagreementsOnField(field, accounts).map((d, ordinal) => pointRow(incidentId, d, ordinal));
  const existing = incident.disputedPoints[kind] ?? [];
  for (const key of existing) if (!found.some((f) => f.key === key)) t.delete(disagreementsTable, { incidentId, kind, key });
  for (const row of found) {
    const stored = existing.includes(row.key) ? t.get(disagreementsTable, row) : undefined;
    if (!stored || !structurallyEqual(stored, row)) t.put(disagreementsTable, row);
  }
  incident.disagreements += found.length - existing.length;
  if (found.length) incident.disputedPoints[kind] = found.map((f) => f.key);
  else delete incident.disputedPoints[kind];
};

const pointRow = (incidentId: string, d: Disagreement, ordinal: number): DisagreementRow => ({
  incidentId,
  kind: d.kind,
  key: d.field,
  ordinal,
  field: d.field,
  side: d.side ?? null,
  figure: d.figure ?? null,
  denialId: null,
  claimId: null,
  deniedAssertions: null,
  positions: d.positions,
  sortPosition: 0n,
});

/**
 * A denial stands while the denied claim is not retracted (or is not in the
 * log at all, in a time-travel cut); standing, it is a point of disagreement
 * showing the claim's values of what it denies at the version it denies (a
 * later correction is not what the denier saw).
 */
const replaceDenialPoint = (t: TableAccess, incident: IncidentRow, denial: DenialRow, claim: ClaimRow | undefined): void => {
  const key = { incidentId: incident.incidentId, kind: 'denial' as const, key: denial.denialId };
  const stored = t.get(disagreementsTable, key);
  if (claim?.retracted) {
    if (stored) {
      t.delete(disagreementsTable, key);
      incident.disagreements -= 1;
    }
    return;
  }
  const { denialId, partyId, claimId, claimPartyId, deniedAssertions, claimVersion } = denial;
  // The claimant's values at the version denied, not at a later correction's.
  const denied = claim && (claimVersion === claim.version ? claim : t.get(claimVersionsTable, { incidentId: incident.incidentId, claimId, version: claimVersion }));
  const d = denialDisagreement({ denialId, partyId, claimId, claimPartyId, deniedAssertions, claimVersion, ...(denied ? { claimAssertions: denied.assertions } : {}) });
  const row: DisagreementRow = {
    ...key,
    ordinal: 0,
    field: d.field,
    side: null,
    figure: null,
    denialId,
    claimId,
    deniedAssertions,
    positions: d.positions,
    sortPosition: denial.position,
  };
  if (stored && structurallyEqual(stored, row)) return;
  t.put(disagreementsTable, row);
  if (!stored) incident.disagreements += 1;
};
