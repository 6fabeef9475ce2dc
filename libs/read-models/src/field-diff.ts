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
  if (from === to) return [];
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...Object.keys(from), ...Object.keys(to).filter((k) => !(k in from))];
    return keys.flatMap((k) => diffValues(from[k], to[k], childPath(path, k)));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const length = Math.max(from.length, to.length);
    return Array.from({ length }, (_, i) => diffValues(from[i], to[i], `${path}[${i}]`)).flat();
  }
  if (from === undefined && to === undefined) return [];
  return [{ path, from: from ?? null, to: to ?? null }];
};
