import { Assertions, InformationCredibility, PointInTime, SOURCE_RELIABILITIES, SourceReliability } from '@ledger/domain';
import { ActiveDenial, CurrentAccount, Disagreement, PartyAccount, currentAccountOf, findDisagreements } from '../disagreements';

/**
 * A minimum grade in the Admiralty system: only claims whose current version is graded at least this well count.
 * Each scale is ranked best first (A before F, 1 before 6); a scale left out is not filtered on. "Cannot be judged"
 * (F, 6) is the bottom of its scale, so it meets only a minimum of F or 6.
 */
export interface GradeFilter {
  minReliability?: SourceReliability;
  minCredibility?: InformationCredibility;
}

/** A grade as the read models hold it: null on both scales while the version is ungraded. */
export interface HeldGrade {
  reliability: SourceReliability | null;
  credibility: InformationCredibility | null;
}

/** True when the filter asks for anything: an empty filter is no filter. */
export const filtersGrade = (filter: GradeFilter | undefined): filter is GradeFilter =>
  filter !== undefined && (filter.minReliability !== undefined || filter.minCredibility !== undefined);

/** Whether a grade meets the minimum. An ungraded claim meets no minimum: a reader who asks for B has not vouched for it. */
export const meetsGrade = (grade: HeldGrade, filter: GradeFilter): boolean => {
  if (filter.minReliability !== undefined) {
    if (grade.reliability === null) return false;
    if (SOURCE_RELIABILITIES.indexOf(grade.reliability) > SOURCE_RELIABILITIES.indexOf(filter.minReliability)) return false;
  }
  if (filter.minCredibility !== undefined && (grade.credibility === null || grade.credibility > filter.minCredibility)) return false;
  return true;
};

/** A standing claim that meets the filter, in current form, as the accounts are merged from. */
export interface CountedClaim {
  partyId: string;
  claimId: string;
  /** Current version: the parts of an account name the version behind them. */
  version: number;
  assertions: Assertions;
  statedAt: PointInTime;
  /** Log position of the claim's current version (ties between claims stated at the same time). */
  versionPosition: bigint;
}

/**
 * The accounts and disagreements of an incident counting only some of its claims (those meeting a minimum grade),
 * computed when asked, by the same pure functions the read models fold: a party's account merged from its counted
 * standing claims, then the points where the accounts disagree, then the standing denials of counted claims.
 * `parties` gives the order of the accounts (each party's first entry in the incident), as the stored points have.
 */
export const countedDisagreements = (
  parties: readonly string[],
  claims: readonly CountedClaim[],
  denials: readonly ActiveDenial[],
): { accounts: Map<string, CurrentAccount>; disagreements: Disagreement[] } => {
  const byParty = new Map<string, CountedClaim[]>();
  for (const claim of claims) byParty.set(claim.partyId, [...(byParty.get(claim.partyId) ?? []), claim]);
  const accounts = new Map<string, CurrentAccount>();
  const ordered: PartyAccount[] = [];
  for (const partyId of parties) {
    const own = byParty.get(partyId);
    if (!own) continue;
    const account = currentAccountOf(own.map((c) => ({ claimId: c.claimId, version: c.version, assertions: c.assertions, statedAt: c.statedAt, position: c.versionPosition.toString() })));
    accounts.set(partyId, account);
    ordered.push({ partyId, account });
  }
  return { accounts, disagreements: findDisagreements(ordered, [...denials]) };
};
