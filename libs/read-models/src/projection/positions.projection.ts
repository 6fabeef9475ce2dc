import { AssertionField, assertedFields, structurallyEqual } from '@ledger/domain';
import { DISAGREEMENT_KIND_OF, Disagreement, PartyAccount, denialDisagreement, disagreementsOnField } from '../disagreements';
import {
  ClaimRow,
  DenialRow,
  DisagreementRow,
  claimFieldsTable,
  claimsTable,
  denialsTable,
  disagreementsTable,
  partyPositionsTable,
} from '../tables/ledger.tables';
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

/**
 * Brings the positions and disagreements up to date after a claim changed
 * from `before` to `after` (undefined: absent). Call it after the claim's row
 * is stored.
 */
export const claimChanged = (ctx: IncidentContext, before: ClaimRow | undefined, after: ClaimRow | undefined): void => {
  const claim = after ?? before;
  if (!claim) return;
  const { incidentId, partyId, claimId } = claim;
  const [was, now] = [standingFields(before), standingFields(after)];
  const moved = !before || !after || before.statedOrder !== after.statedOrder || before.versionPosition !== after.versionPosition;
  const touched: AssertionField[] = [];
  for (const field of was) {
    if (now.includes(field)) continue;
    ctx.t.delete(claimFieldsTable, { incidentId, partyId, field, claimId });
    touched.push(field);
  }
  for (const field of now) {
    const valueChanged = !was.includes(field) || !structurallyEqual(before!.assertions[field], after!.assertions[field]);
    if (!valueChanged && !moved) continue;
    ctx.t.put(claimFieldsTable, { incidentId, partyId, field, claimId, statedOrder: after!.statedOrder, versionPosition: after!.versionPosition });
    touched.push(field);
  }
  for (const field of touched) choosePosition(ctx, partyId, field);
};

const choosePosition = (ctx: IncidentContext, partyId: string, field: AssertionField): void => {
  const { t, incidentId } = ctx;
  const [top] = t.find(
    claimFieldsTable,
    { incidentId, partyId, field },
    { orderBy: [{ column: 'statedOrder', desc: true }, { column: 'versionPosition', desc: true }], limit: 1 },
  );
  const before = t.get(partyPositionsTable, { incidentId, partyId, field });
  const claim = top ? t.get(claimsTable, { incidentId, claimId: top.claimId }) : undefined;
  if (!claim) {
    if (!before) return;
    t.delete(partyPositionsTable, { incidentId, partyId, field });
  } else {
    const next = { incidentId, partyId, field, claimId: claim.claimId, value: claim.assertions[field], statedAt: claim.statedAt, partyOrder: before?.partyOrder ?? partyOrderIn(t, incidentId, partyId) };
    if (before && structurallyEqual(before, next)) return;
    t.put(partyPositionsTable, next);
  }
  disagreeOn(ctx, field);
};

/** Replaces the incident's points of disagreement on one field with those the parties' current positions give. */
const disagreeOn = (ctx: IncidentContext, field: AssertionField): void => {
  const { t, incidentId } = ctx;
  const accounts: PartyAccount[] = t
    .find(partyPositionsTable, { incidentId, field }, { orderBy: [{ column: 'partyOrder' }] })
    .map((p) => ({ partyId: p.partyId, account: { [field]: { value: p.value, claimId: p.claimId, statedAt: p.statedAt } } }));
  const kind = DISAGREEMENT_KIND_OF[field];
  const found = disagreementsOnField(field, accounts).map((d, ordinal) => pointRow(incidentId, d, ordinal));
  const existing = t.find(disagreementsTable, { incidentId, kind });
  for (const row of existing) if (!found.some((f) => f.key === row.key)) t.delete(disagreementsTable, row);
  for (const row of found) {
    const stored = existing.find((r) => r.key === row.key);
    if (!stored || !structurallyEqual(stored, row)) t.put(disagreementsTable, row);
  }
  ctx.incident.disagreements += found.length - existing.length;
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
 * showing the claim's current values of what it denies.
 */
export const denialChanged = (ctx: IncidentContext, denial: DenialRow, claim: ClaimRow | undefined): void => {
  const { t, incidentId } = ctx;
  const key = { incidentId, kind: 'denial' as const, key: denial.denialId };
  const stored = t.get(disagreementsTable, key);
  if (claim?.retracted) {
    if (stored) {
      t.delete(disagreementsTable, key);
      ctx.incident.disagreements -= 1;
    }
    return;
  }
  const { denialId, partyId, claimId, claimPartyId, deniedAssertions } = denial;
  const d = denialDisagreement({ denialId, partyId, claimId, claimPartyId, deniedAssertions, ...(claim ? { claimAssertions: claim.assertions } : {}) });
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
  if (!stored) ctx.incident.disagreements += 1;
};

/** The claim's denials, after the claim changed (corrected, amended, retracted): what they dispute follows it. */
export const denialsFollowClaim = (ctx: IncidentContext, claim: ClaimRow): void => {
  for (const denial of ctx.t.find(denialsTable, { incidentId: ctx.incidentId, claimId: claim.claimId }, { orderBy: [{ column: 'position' }] })) {
    denialChanged(ctx, denial, claim);
  }
};
