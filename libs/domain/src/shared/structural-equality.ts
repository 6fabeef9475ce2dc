/**
 * Deep equality over plain JSON-like values. A key whose value is undefined
 * counts as absent, because that is how the value reads back once stored as
 * JSON; array order matters (it is part of what a party said).
 */
export const structurallyEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Loops rather than a Set of both objects' keys and closures: the read models compare every row before writing it.
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!structurallyEqual(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of Object.keys(ra)) if (!structurallyEqual(ra[key], rb[key])) return false;
  for (const key of Object.keys(rb)) if (!Object.prototype.propertyIsEnumerable.call(ra, key) && !structurallyEqual(ra[key], rb[key])) return false;
  return true;
};
