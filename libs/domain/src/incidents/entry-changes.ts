import { applyAssertionChanges } from '../shared/assertions';
import { AssertionField, Assertions, EntryChanges } from './incident.events';

/**
 * An entry as it reads after an EntryAmended: every key present in `changes`
 * replaces the entry's value of that key; keys absent are kept. `assertions`
 * is merged field by field, exactly as in a correction, so fixing one
 * mis-typed casualty figure does not require restating every other field;
 * `removedAssertions` drops fields the party never asserted.
 */
export const applyEntryChanges = <Entry extends object>(entry: Entry, changes: EntryChanges): Entry => {
  const next: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || key === 'removedAssertions') continue;
    next[key] =
      key === 'assertions' ? applyAssertionChanges((next.assertions as Assertions | undefined) ?? {}, value as Assertions) : value;
  }
  if (changes.removedAssertions?.length) {
    const kept: Record<string, unknown> = { ...((next.assertions as Assertions | undefined) ?? {}) };
    for (const field of changes.removedAssertions as AssertionField[]) delete kept[field];
    next.assertions = kept;
  }
  return next as Entry;
};

/** The keys of `changes` that carry a value, in the order given. */
export const changedEntryKeys = (changes: EntryChanges): Array<keyof EntryChanges> =>
  (Object.keys(changes) as Array<keyof EntryChanges>).filter((key) => changes[key] !== undefined);
