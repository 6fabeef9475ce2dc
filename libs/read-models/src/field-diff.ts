/** One changed leaf between two versions; null stands for "absent" so that changes survive JSON. */
export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const childPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

/**
 * Field-level diff with paths such as `assertions.casualties[0].killed.best`.
 * Arrays are compared by index: a reordering shows as changes, which is what
 * a reader of a party's wording wants to see.
 */
export const diffValues = (from: unknown, to: unknown, path = ''): FieldChange[] => {
  const changes: FieldChange[] = [];
  diffInto(changes, from, to, path);
  return changes;
};

// One list filled in place: every correction and amendment diffs a whole claim, and a list per level was most of it.
const diffInto = (changes: FieldChange[], from: unknown, to: unknown, path: string): void => {
  if (from === to) return;
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const k of Object.keys(from)) diffInto(changes, from[k], to[k], childPath(path, k));
    for (const k of Object.keys(to)) if (!(k in from)) diffInto(changes, from[k], to[k], childPath(path, k));
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const length = Math.max(from.length, to.length);
    for (let i = 0; i < length; i++) diffInto(changes, from[i], to[i], `${path}[${i}]`);
    return;
  }
  if (from === undefined && to === undefined) return;
  changes.push({ path, from: from ?? null, to: to ?? null });
};
