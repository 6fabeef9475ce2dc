import { ASSERTION_FIELDS, AssertionField, Assertions, CasualtyReport, NON_PARTY_SIDES } from '../incidents/incident.events';
import { structurallyEqual } from './structural-equality';

/** The assertion fields a claim states, in ASSERTION_FIELDS order. A field is asserted when present. */
export const assertedFields = (assertions: Assertions): AssertionField[] =>
  ASSERTION_FIELDS.filter((field) => assertions[field] !== undefined);

/**
 * The claim's assertions after a correction: each field present in `changes`
 * replaces the field of the same name; absent fields are kept. This is the
 * rule of ClaimCorrected, so read models must use it rather than a merge of
 * their own.
 */
export const applyAssertionChanges = (current: Assertions, changes: Assertions | undefined): Assertions => {
  const next: Assertions = {};
  for (const field of ASSERTION_FIELDS) {
    const value = changes?.[field] !== undefined ? changes[field] : current[field];
    if (value !== undefined) (next as Record<AssertionField, unknown>)[field] = value;
  }
  return next;
};

/**
 * What a claim currently asserts, given the assertions of each of its
 * versions in order: version 1 (ClaimMade) first, then each correction's.
 */
export const currentAssertions = (versions: ReadonlyArray<Assertions | undefined>): Assertions =>
  versions.reduce<Assertions>((acc, changes) => applyAssertionChanges(acc, changes), {});

/** The assertion fields whose values differ between two versions of a claim. */
export const changedAssertionFields = (before: Assertions, after: Assertions): AssertionField[] =>
  ASSERTION_FIELDS.filter((field) => !structurallyEqual(before[field], after[field]));

export interface PartyReference {
  partyId: string;
  /** Path inside the assertions, e.g. `casualties[0].side`. */
  field: string;
}

const isNonPartySide = (side: string): boolean => (NON_PARTY_SIDES as readonly string[]).includes(side);

/**
 * The group a casualty report counts, as a key: `side=<party>`, `category=civilians`, `nationality=NL`, joined by
 * commas in that order when several are given, or `unattributed`. Reports are compared group by group, so a claim
 * has at most one report per key.
 */
export const casualtyGroupKey = (report: Pick<CasualtyReport, 'side' | 'category' | 'nationality'>): string => {
  const parts = [
    ...(report.side !== undefined ? [`side=${report.side}`] : []),
    ...(report.category !== undefined ? [`category=${report.category}`] : []),
    ...(report.nationality !== undefined ? [`nationality=${report.nationality}`] : []),
  ];
  return parts.length ? parts.join(',') : 'unattributed';
};

/** The group for a table cell: a party's side alone as its id (as before groups), any other group as its key. */
export const casualtyGroupLabel = (report: Pick<CasualtyReport, 'side' | 'category' | 'nationality'>): string =>
  report.side !== undefined && report.category === undefined && report.nationality === undefined ? report.side : casualtyGroupKey(report);

/** Every party id the assertions name; casualty groups of no side are left out. */
export const partiesReferencedBy = (assertions: Assertions): PartyReference[] => {
  const refs: PartyReference[] = [];
  assertions.responsibleParties?.forEach((partyId, i) => refs.push({ partyId, field: `responsibleParties[${i}]` }));
  assertions.ceasefire?.by?.forEach((partyId, i) => refs.push({ partyId, field: `ceasefire.by[${i}]` }));
  assertions.casualties?.forEach((report, i) => {
    if (report.side !== undefined && !isNonPartySide(report.side)) refs.push({ partyId: report.side, field: `casualties[${i}].side` });
  });
  return refs;
};
