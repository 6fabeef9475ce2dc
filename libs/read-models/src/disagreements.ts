import { ASSERTION_FIELDS, AssertionField, Assertions, CasualtyReport, Estimate, PointInTime, casualtyGroupKey } from '@ledger/domain';
import { Part, byPart, holdsOneValue, partsOfField, positionValueOf } from './position-parts';
import { statedOrderOf } from './projection/projection-context';
import { intervalsOverlap } from './time-range';

/** A standing claim behind a position, at its current version. */
export interface ClaimAtVersion {
  claimId: string;
  version: number;
}

/** The claims an account part lists (the latest stated), whatever the number behind it. */
export const PART_CLAIMS_LISTED = 20;

/**
 * One part of a position: a party named (responsible parties, ceasefire violators), a casualty group, whether the
 * ceasefire was violated, or the whole value of a point holding one (part "").
 */
export interface AccountPart {
  part: string;
  value: unknown;
  /** The standing claim stated latest that holds the part: the value is its. */
  claimId: string;
  version: number;
  /**
   * The standing claims of the party holding the part, stated latest first: the first PART_CLAIMS_LISTED of them, so
   * that an answer does not grow with the party's claims (the table claim_fields lists them all).
   */
  claims: ClaimAtVersion[];
  /** How many standing claims of the party hold the part. */
  claimCount: number;
  /** Those claims give different values for the part. */
  conflict: boolean;
}

/** One assertion field of a party's current account (its position on the point) and the claims it comes from. */
export interface AccountEntry<T> {
  value: T;
  /** The standing claim stated latest behind the position. */
  claimId: string;
  statedAt: PointInTime;
  /** The position part by part, each with the claims and versions behind it (absent where only a value is known). */
  parts?: AccountPart[];
  /** The party's own standing claims give different values for some part. */
  conflict?: boolean;
}

export type CurrentAccount = { [F in AssertionField]?: AccountEntry<Required<Assertions>[F]> };

/** A standing claim (not retracted, not superseded) in current form, as input to a party's current account. */
export interface AccountClaim {
  claimId: string;
  /** Current version (default 1). */
  version?: number;
  assertions: Assertions;
  statedAt: PointInTime;
  /** Global position of the claim's latest version; breaks ties between claims stated at the same time. */
  position: string;
}

/** Stated later first (start of the stated time), then recorded later. */
const latestFirst = (a: AccountClaim, b: AccountClaim): number => {
  const [x, y] = [statedOrderOf(a.statedAt), statedOrderOf(b.statedAt)];
  if (x !== y) return y - x;
  const [p, q] = [BigInt(a.position), BigInt(b.position)];
  return p > q ? -1 : p < q ? 1 : 0;
};

/**
 * A party's account from all its standing claims, computed at once (the read models keep the same thing up to date
 * claim by claim): per point, part by part (position-parts.ts), the union of the parties named and, for every part
 * holding one value, the value of the claim stated latest that gives it (stated time, not recorded time: a party's
 * newer statement counts over an older one even when the ledger learnt of them the other way round), with every
 * claim behind each part and whether they conflict.
 */
export const currentAccountOf = (claims: AccountClaim[]): CurrentAccount => {
  const ordered = [...claims].sort(latestFirst);
  const account: Record<string, AccountEntry<unknown>> = {};
  for (const field of ASSERTION_FIELDS) {
    const holders = new Map<string, Array<{ claim: AccountClaim; part: Part }>>();
    for (const claim of ordered) {
      if (claim.assertions[field] === undefined) continue;
      for (const part of partsOfField(field, claim.assertions)) holders.set(part.part, [...(holders.get(part.part) ?? []), { claim, part }]);
    }
    if (!holders.size) continue;
    const parts: AccountPart[] = [...holders.entries()]
      .map(([part, held]) => ({
        part,
        value: held[0].part.value,
        claimId: held[0].claim.claimId,
        version: held[0].claim.version ?? 1,
        claims: held.slice(0, PART_CLAIMS_LISTED).map(({ claim }) => ({ claimId: claim.claimId, version: claim.version ?? 1 })),
        claimCount: held.length,
        conflict: holdsOneValue(field, part) && new Set(held.map((h) => h.part.valueKey)).size > 1,
      }))
      .sort(byPart);
    const latest = ordered.find((c) => parts.some((p) => p.claimId === c.claimId))!;
    account[field] = { value: positionValueOf(field, parts), claimId: latest.claimId, statedAt: latest.statedAt, parts, conflict: parts.some((p) => p.conflict) };
  }
  return account as CurrentAccount;
};

export interface PartyAccount {
  partyId: string;
  account: CurrentAccount;
}

/** A denial whose denied claim is not retracted. */
export interface ActiveDenial {
  denialId: string;
  /** The denying party. */
  partyId: string;
  claimId: string;
  claimPartyId: string;
  /** Empty: the claim as a whole. */
  deniedAssertions: AssertionField[];
  /** The denied claim's assertions at the version denied, shown as the claimant's position. */
  claimAssertions?: Assertions;
  /** The claim version denied. */
  claimVersion?: number;
}

export type DisagreementKind = 'responsible-parties' | 'ceasefire' | 'casualties' | 'occurred' | 'location' | 'denial';

export interface DisagreementPosition {
  partyId: string;
  /** The claim the position rests on; for a denial, the denied claim. */
  claimId: string;
  /** The party's asserted value (field disagreements) or the denied claim's denied values (claimant of a denial). */
  value?: unknown;
  role?: 'claimant' | 'denier';
  denialId?: string;
  /** For a denial: the claim version denied (the claimant's value is that version's, not a later correction's). */
  claimVersion?: number;
}

export interface Disagreement {
  kind: DisagreementKind;
  /**
   * The point in dispute as an assertion path: `responsibleParties`,
   * `ceasefire`, `casualties[<group>].killed` (group: `side=<party>`, `category=civilians`, `nationality=NL`, joined
   * by commas, or `unattributed`), `occurred`, `location`;
   * for a denial the denied fields joined by commas, or `claim` for the whole claim.
   */
  field: string;
  side?: string;
  figure?: 'killed' | 'wounded';
  deniedAssertions?: AssertionField[];
  positions: DisagreementPosition[];
}

const setKey = (values: string[] | undefined): string => JSON.stringify([...new Set(values ?? [])].sort());

const position = <T>(partyId: string, entry: AccountEntry<T>): DisagreementPosition => ({
  partyId,
  claimId: entry.claimId,
  value: entry.value,
});

const withField = <F extends AssertionField>(accounts: PartyAccount[], field: F) =>
  accounts.flatMap((a) => {
    const entry = a.account[field];
    return entry ? [{ partyId: a.partyId, entry: entry as AccountEntry<Required<Assertions>[F]> }] : [];
  });

const responsibleParties = (accounts: PartyAccount[]): Disagreement[] => {
  const held = withField(accounts, 'responsibleParties');
  if (new Set(held.map((h) => setKey(h.entry.value))).size < 2) return [];
  return [{ kind: 'responsible-parties', field: 'responsibleParties', positions: held.map((h) => position(h.partyId, h.entry)) }];
};

/** "Violated" against "not violated" disagrees; so do two named sets of violators, while "violated, by someone" does not contradict a named set. */
const ceasefire = (accounts: PartyAccount[]): Disagreement[] => {
  const held = withField(accounts, 'ceasefire');
  const violated = new Set(held.map((h) => h.entry.value.violated));
  const namedViolators = new Set(
    held.filter((h) => h.entry.value.violated && (h.entry.value.by?.length ?? 0) > 0).map((h) => setKey(h.entry.value.by)),
  );
  if (violated.size < 2 && namedViolators.size < 2) return [];
  return [{ kind: 'ceasefire', field: 'ceasefire', positions: held.map((h) => position(h.partyId, h.entry)) }];
};

const rangeOf = (e: Estimate): [number, number] => [e.low ?? e.best, e.high ?? e.best];

/** Two figures disagree when their ranges (a bare best figure being a range of one) do not overlap. */
export const estimatesConflict = (a: Estimate, b: Estimate): boolean => {
  const [aLow, aHigh] = rangeOf(a);
  const [bLow, bHigh] = rangeOf(b);
  return aHigh < bLow || bHigh < aLow;
};

const anyPair = <T>(items: T[], conflict: (a: T, b: T) => boolean): boolean =>
  items.some((a, i) => items.slice(i + 1).some((b) => conflict(a, b)));

const casualties = (accounts: PartyAccount[]): Disagreement[] => {
  const held = withField(accounts, 'casualties');
  // Groups in order of first mention: a party's side, a category, a nationality, or unattributed (casualtyGroupKey).
  const groups = new Map<string, CasualtyReport>();
  for (const h of held) for (const report of h.entry.value) if (!groups.has(casualtyGroupKey(report))) groups.set(casualtyGroupKey(report), report);
  const points: Disagreement[] = [];
  for (const [group, { side }] of groups) {
    for (const figure of ['killed', 'wounded'] as const) {
      const figures = held.flatMap((h) => {
        const report: CasualtyReport | undefined = h.entry.value.find((r) => casualtyGroupKey(r) === group && r[figure] !== undefined);
        return report ? [{ partyId: h.partyId, claimId: h.entry.claimId, estimate: report[figure] as Estimate }] : [];
      });
      if (!anyPair(figures, (a, b) => estimatesConflict(a.estimate, b.estimate))) continue;
      points.push({
        kind: 'casualties',
        field: `casualties[${group}].${figure}`,
        ...(side !== undefined ? { side } : {}),
        figure,
        positions: figures.map((f) => ({ partyId: f.partyId, claimId: f.claimId, value: f.estimate })),
      });
    }
  }
  return points;
};

const occurred = (accounts: PartyAccount[]): Disagreement[] => {
  const held = withField(accounts, 'occurred');
  if (!anyPair(held, (a, b) => !intervalsOverlap(a.entry.value, b.entry.value))) return [];
  return [{ kind: 'occurred', field: 'occurred', positions: held.map((h) => position(h.partyId, h.entry)) }];
};

const placeKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** Places are compared by name; the ledger has no gazetteer to tell whether one named place lies within another. */
const location = (accounts: PartyAccount[]): Disagreement[] => {
  const held = withField(accounts, 'location');
  if (new Set(held.map((h) => placeKey(h.entry.value.name))).size < 2) return [];
  return [{ kind: 'location', field: 'location', positions: held.map((h) => position(h.partyId, h.entry)) }];
};

/** The point a standing denial puts in dispute: the claimant's denied values against the denier. */
export const denialDisagreement = (d: ActiveDenial): Disagreement => {
  const denied: Record<string, unknown> = {};
  for (const field of d.deniedAssertions.length ? d.deniedAssertions : ASSERTION_FIELDS) {
    if (d.claimAssertions?.[field] !== undefined) denied[field] = d.claimAssertions[field];
  }
  const version = d.claimVersion !== undefined ? { claimVersion: d.claimVersion } : {};
  return {
    kind: 'denial',
    field: d.deniedAssertions.length ? d.deniedAssertions.join(',') : 'claim',
    deniedAssertions: d.deniedAssertions,
    positions: [
      { partyId: d.claimPartyId, claimId: d.claimId, role: 'claimant', ...(Object.keys(denied).length ? { value: denied } : {}), ...version },
      { partyId: d.partyId, claimId: d.claimId, role: 'denier', denialId: d.denialId, ...version },
    ],
  };
};

/**
 * Where the parties' current accounts of one incident contradict each other,
 * plus every standing denial. Pure: the same function serves the read model,
 * the incident list's `contested` flag and time travel.
 */
export const findDisagreements = (accounts: PartyAccount[], activeDenials: ActiveDenial[]): Disagreement[] => [
  ...responsibleParties(accounts),
  ...ceasefire(accounts),
  ...casualties(accounts),
  ...occurred(accounts),
  ...location(accounts),
  ...activeDenials.map(denialDisagreement),
];

/** The kind of disagreement each assertion field gives rise to. */
export const DISAGREEMENT_KIND_OF: Record<AssertionField, Exclude<DisagreementKind, 'denial'>> = {
  responsibleParties: 'responsible-parties',
  ceasefire: 'ceasefire',
  casualties: 'casualties',
  occurred: 'occurred',
  location: 'location',
};

/** The order in which points of disagreement are listed, kinds first. */
export const DISAGREEMENT_KINDS: readonly DisagreementKind[] = ['responsible-parties', 'ceasefire', 'casualties', 'occurred', 'location', 'denial'];

const ON_FIELD: Record<AssertionField, (accounts: PartyAccount[]) => Disagreement[]> = {
  responsibleParties,
  ceasefire,
  casualties,
  occurred,
  location,
};

/**
 * Where the accounts disagree on one assertion field; only that field of
 * each account is read, so a read model can recompute the points of one
 * field from the parties' positions on it alone.
 */
export const disagreementsOnField = (field: AssertionField, accounts: PartyAccount[]): Disagreement[] => ON_FIELD[field](accounts);
