import { configure } from 'safe-stable-stringify';
import { AssertionField, Assertions, casualtyGroupKey } from '@ledger/domain';

/**
 * The rule of positions, shared by the projection (which keeps them up to date claim by claim) and by the plain
 * computation over a party's standing claims that tests hold the projection to.
 *
 * A point (assertion field) is held in parts: each party named (responsible parties; ceasefire violators, part
 * `by=<party>`) is a member of a set, so a party's position is the union over its standing claims; every other part
 * (whether the ceasefire was violated, a casualty group, the whole value of occurred and location) holds one value,
 * taken from the standing claim stated latest that gives it, and is in conflict when the party's standing claims give
 * different values for it.
 */
export interface Part {
  field: AssertionField;
  part: string;
  value: unknown;
  /** Canonical JSON of the value, for parts holding one value; undefined for a member of a set (never in conflict). */
  valueKey?: string;
}

const canonical = configure({ deterministic: true });

const member = (field: AssertionField, part: string, value: string): Part => ({ field, part, value });
const single = (field: AssertionField, part: string, value: unknown): Part => ({ field, part, value, valueKey: canonical(value) });

/**
 * A list asserted empty ("named nobody", "no casualties") is an assertion too, unlike silence: it is held as the
 * part "" (value null), which keeps the position present and adds nothing to the union.
 */
export const NAMED_NONE = '';

const orNone = (field: AssertionField, parts: Part[]): Part[] => (parts.length ? parts : [{ field, part: NAMED_NONE, value: null }]);

/** The parts of one asserted field. */
export const partsOfField = (field: AssertionField, assertions: Assertions): Part[] => {
  switch (field) {
    case 'responsibleParties':
      return orNone(field, [...new Set(assertions.responsibleParties ?? [])].map((partyId) => member(field, partyId, partyId)));
    case 'ceasefire': {
      const ceasefire = assertions.ceasefire!;
      return [single(field, 'violated', ceasefire.violated), ...[...new Set(ceasefire.by ?? [])].map((partyId) => member(field, `by=${partyId}`, partyId))];
    }
    case 'casualties':
      return orNone(field, (assertions.casualties ?? []).map((report) => single(field, casualtyGroupKey(report), report)));
    default:
      return [single(field, '', assertions[field])];
  }
};

/** Parties named (responsible, ceasefire violators) are members of a set; every other part holds one value. */
export const holdsOneValue = (field: AssertionField, part: string): boolean => field !== 'responsibleParties' && !part.startsWith('by=') && !(field === 'casualties' && part === NAMED_NONE);

/** Parts listed in one order whatever order the claims came in. */
export const byPart = (a: { part: string }, b: { part: string }): number => (a.part < b.part ? -1 : a.part > b.part ? 1 : 0);

/** The position's value from its parts (in part order): the union of the parties named, the latest standing value of everything else. */
export const positionValueOf = (field: AssertionField, parts: ReadonlyArray<{ part: string; value: unknown }>): unknown => {
  switch (field) {
    case 'responsibleParties':
    case 'casualties':
      return parts.filter((p) => p.part !== NAMED_NONE).map((p) => p.value);
    case 'ceasefire': {
      const violated = parts.find((p) => p.part === 'violated')?.value === true;
      const by = parts.filter((p) => p.part.startsWith('by=')).map((p) => p.value);
      // Violators named by claims that say it was violated; a latest "not violated" leaves none (the conflict flag tells).
      return violated && by.length ? { violated, by } : { violated };
    }
    default:
      return parts[0].value;
  }
};
