import { AssertionField, assertedFields, structurallyEqual } from '@ledger/domain';
import { Part, byPart, holdsOneValue, partsOfField, positionValueOf } from '../position-parts';
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
  PositionPart,
  positionValuesTable,
} from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { partyOrderIn } from './incidents.projection';
import { IncidentContext } from './projection-context';
import { putIncident } from './incidents-by-day.projection';

/**
 * A party's position on a point (assertion field) comes from all its standing claims (not retracted, not
 * superseded), part by part: each party it names (responsible parties, ceasefire violators) is in the position
 * while any standing claim names it, so the position is their union; each part holding one value (a casualty
 * group, whether the ceasefire was violated, when, where) takes the value of the standing claim stated latest that
 * gives it (stated time, then log position), and is flagged when the party's standing claims give different values.
 * `claim_fields` indexes the standing claims per part, so a change to one claim re-chooses only the parts it holds,
 * by one index seek each, whatever the number of the party's claims (the rule itself: position-parts.ts).
 */

/** Whether the claim stands: not retracted, and superseded by no claim that is not retracted. */
export const stands = (claim: ClaimRow | undefined): claim is ClaimRow => !!claim && !claim.retracted && claim.supersededBy.length === 0;

const standingParts = (claim: ClaimRow | undefined): Part[] => (stands(claim) ? assertedFields(claim.assertions).flatMap((f) => partsOfField(f, claim.assertions)) : []);

const samePart = (a: Part, b: Part): boolean => a.field === b.field && a.part === b.part && a.valueKey === b.valueKey && structurallyEqual(a.value, b.value);

/** What one claim's change does to one part of its party's position. */
interface PartChange {
  /** Change in the number of standing claims behind the part. */
  claims: number;
  /** Change in the number of different values they give (rows of position_values). */
  values: number;
  /** The claim's part as it now stands, if it holds the part. */
  now?: Part;
}

/** What one claim's change does to one point of its party's position. */
interface FieldChange {
  parts: Map<string, PartChange>;
  /** +1: the claim now asserts the point (standing); -1: no longer; 0: still or still not. */
  claims: number;
}

/**
 * Brings the positions and disagreements up to date after a claim changed from `before` to `after` (undefined:
 * absent), including its standing (retracted, superseded, no longer superseded). Call it after the claim's row is
 * stored. Only the parts the claim held or holds are looked at; a claim that kept its place and its values is left
 * alone.
 */
export const claimChanged = (ctx: IncidentContext, before: ClaimRow | undefined, after: ClaimRow | undefined): void => {
  const claim = after ?? before;
  if (!claim) return;
  const { t, incidentId } = ctx;
  const { partyId, claimId } = claim;
  const [was, now] = [standingParts(before), standingParts(after)];
  const moved = !before || !after || before.statedOrder !== after.statedOrder || before.versionPosition !== after.versionPosition || before.version !== after.version;
  const changes = new Map<AssertionField, FieldChange>();
  const changeOf = (field: AssertionField): FieldChange => {
    let change = changes.get(field);
    if (!change) changes.set(field, (change = { parts: new Map(), claims: 0 }));
    return change;
  };
  const count = (p: Part, by: 1 | -1): PartChange => {
    const parts = changeOf(p.field).parts;
    let change = parts.get(p.part);
    if (!change) parts.set(p.part, (change = { claims: 0, values: 0 }));
    change.claims += by;
    if (p.valueKey === undefined) return change;
    const key = { incidentId, partyId, field: p.field, part: p.part, valueKey: p.valueKey };
    const held = t.get(positionValuesTable, key)?.claims ?? 0;
    const claims = held + by;
    if (claims > 0) t.put(positionValuesTable, { ...key, claims });
    else t.delete(positionValuesTable, key);
    change.values += held === 0 ? 1 : claims === 0 ? -1 : 0;
    return change;
  };
  for (const p of was) {
    if (!moved && now.some((q) => samePart(p, q))) continue;
    t.delete(claimFieldsTable, { incidentId, partyId, field: p.field, part: p.part, statedOrder: before!.statedOrder, versionPosition: before!.versionPosition, claimId });
    count(p, -1);
  }
  for (const p of now) {
    if (!moved && was.some((q) => samePart(p, q))) continue;
    const { version, statedAt, statedOrder, versionPosition } = after!;
    t.put(claimFieldsTable, { incidentId, partyId, field: p.field, part: p.part, claimId, version, statedAt, statedOrder, versionPosition, value: p.value });
    count(p, 1).now = p;
  }
  const [wasFields, nowFields] = [new Set(was.map((p) => p.field)), new Set(now.map((p) => p.field))];
  for (const field of wasFields) if (!nowFields.has(field)) changeOf(field).claims -= 1;
  for (const field of nowFields) if (!wasFields.has(field)) changeOf(field).claims += 1;
  for (const [field, change] of changes) reposition(ctx, claim, after, field, change);
};

/**
 * The standing claim stated latest that holds a part, after `claim` changed: decided against the part as held when
 * the claim takes it over or another claim keeps it; looked up (one seek) only when the claim held it and no longer
 * does, or now ranks earlier.
 */
const holderOf = (ctx: IncidentContext, claim: ClaimRow, after: ClaimRow | undefined, field: AssertionField, part: string, held: PositionPart | undefined, change: PartChange) => {
  const { t, incidentId } = ctx;
  const mine = change.now && after ? { value: change.now.value, claimId: claim.claimId, version: after.version, statedAt: after.statedAt, statedOrder: after.statedOrder, versionPosition: after.versionPosition.toString() } : undefined;
  if (mine && (!held || held.claimId === claim.claimId ? !held || !rankedAfter(held, mine) : rankedAfter(mine, held))) return mine;
  if (held && held.claimId !== claim.claimId) return held;
  const [top] = t.find(
    claimFieldsTable,
    { incidentId, partyId: claim.partyId, field, part },
    { orderBy: [{ column: 'statedOrder', desc: true }, { column: 'versionPosition', desc: true }], limit: 1 },
  );
  return top && { value: top.value, claimId: top.claimId, version: top.version, statedAt: top.statedAt, statedOrder: top.statedOrder, versionPosition: top.versionPosition.toString() };
};

/** Re-chooses the parts of a party's position that a claim's change touched, and re-computes the point's disagreements if the position changed. */
const reposition = (ctx: IncidentContext, claim: ClaimRow, after: ClaimRow | undefined, field: AssertionField, change: FieldChange): void => {
  const { t, incidentId } = ctx;
  const { partyId } = claim;
  const held = t.get(partyPositionsTable, { incidentId, field, partyId });
  const parts = new Map((held?.parts ?? []).map((p) => [p.part, p]));
  for (const [part, partChange] of change.parts) {
    const before = parts.get(part);
    const claims = (before?.claims ?? 0) + partChange.claims;
    if (claims === 0) {
      parts.delete(part);
      continue;
    }
    const holder = holderOf(ctx, claim, after, field, part, before, partChange);
    if (!holder) {
      parts.delete(part);
      continue;
    }
    const values = (before?.values ?? 0) + partChange.values;
    const { value, claimId, version, statedAt, statedOrder, versionPosition } = holder;
    parts.set(part, { part, value, claimId, version, statedAt, statedOrder, versionPosition, claims, values, conflict: holdsOneValue(field, part) && values > 1 });
  }
  if (parts.size === 0) {
    if (held) {
      t.delete(partyPositionsTable, { incidentId, field, partyId });
      disagreeOn(ctx, field);
    }
    return;
  }
  const ordered = [...parts.values()].sort(byPart);
  // The claim behind the position: the one stated latest among the parts' claims (ties: the later version recorded).
  const latest = ordered.reduce((a, b) => (rankedAfter(b, a) ? b : a));
  const next: PartyPositionRow = {
    incidentId,
    partyId,
    field,
    claimId: latest.claimId,
    value: positionValueOf(field, ordered),
    statedAt: latest.statedAt,
    statedOrder: latest.statedOrder,
    versionPosition: BigInt(latest.versionPosition),
    parts: ordered,
    claims: (held?.claims ?? 0) + change.claims,
    conflict: ordered.some((p) => p.conflict),
    partyOrder: held?.partyOrder ?? partyOrderIn(t, incidentId, partyId),
  };
  if (held && structurallyEqual(held, next)) return;
  t.put(partyPositionsTable, next);
  // The points follow the values and show the claims positions rest on: any change of the row may change them.
  disagreeOn(ctx, field);
};

/** Whether part `a` comes from a claim stated after `b`'s (the same stated time: recorded later). */
const rankedAfter = (a: Pick<PositionPart, 'statedOrder' | 'versionPosition'>, b: Pick<PositionPart, 'statedOrder' | 'versionPosition'>): boolean =>
  a.statedOrder > b.statedOrder || (a.statedOrder === b.statedOrder && BigInt(a.versionPosition) > BigInt(b.versionPosition));

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
    putIncident(t, { ...incident, disputedPoints, contested: incident.disagreements > 0 });
  }
};

/** What a point's disagreements are computed from: each party's value, claim and time, not the parts behind them. */
const ACCOUNTS_OF_POINT = { orderBy: [{ column: 'partyOrder' as const }], columns: ['partyId', 'value', 'claimId', 'statedAt'] as const };

/** Replaces the incident's points of disagreement on one field with those the parties' current positions give. */
const replacePoints = (t: TableAccess, incident: IncidentRow, field: AssertionField): void => {
  const { incidentId } = incident;
  const accounts: PartyAccount[] = t
    .find(partyPositionsTable, { incidentId, field }, ACCOUNTS_OF_POINT)
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
