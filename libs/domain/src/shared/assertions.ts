import { ASSERTION_FIELDS, AssertionField, Assertions, NON_PARTY_SIDES } from '../incidents/incident.events';
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

/** Every party id the assertions name; casualty sides that are not parties (civilians, unknown) are left out. */
export const partiesReferencedBy = (assertions: Assertions): PartyReference[] => {
  const refs: PartyReference[] = [];
  assertions.responsibleParties?.forEach((partyId, i) => refs.push({ partyId, field: `responsibleParties[${i}]` }));
  assertions.ceasefire?.by?.forEach((partyId, i) => refs.push({ partyId, field: `ceasefire.by[${i}]` }));
  assertions.casualties?.forEach((report, i) => {
    if (!isNonPartySide(report.side)) refs.push({ partyId: report.side, field: `casualties[${i}].side` });
  });
  return refs;
};
