/** Deeper than any body the validation pipe lets through (MAX_BODY_DEPTH): left to JSON, which reports a cycle. */
const MAX_COPY_DEPTH = 300;

/** A value copyJsonSafe cannot mirror exactly; JSON then does it. */
const NOT_PLAIN = Symbol('not plain');

/**
 * What JSON.parse(JSON.stringify(value)) makes of a value made of JSON's own types and plain or class objects without
 * toJSON: own enumerable keys in their order, an undefined, function or symbol member left out (null in an array), -0
 * as 0. Anything else (a non-finite number, a bigint, a Date or other toJSON, a Map or Set, a boxed primitive, a cycle)
 * is NOT_PLAIN.
 */
function copyJsonSafe(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return NOT_PLAIN;
      return value === 0 ? 0 : value;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth > MAX_COPY_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') {
        copy[i] = null;
        continue;
      }
      const copied = copyJsonSafe(item, depth + 1);
      if (copied === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = copied;
    }
    return copy;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || value instanceof Map || value instanceof Set) return NOT_PLAIN;
  // JSON prints a boxed primitive as the primitive.
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member: unknown = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    const copied = copyJsonSafe(member, depth + 1);
    if (copied === NOT_PLAIN) return NOT_PLAIN;
    // defineProperty, not assignment: a "__proto__" key stays a key, as JSON.parse makes it.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else copy[key] = copied;
  }
  return copy;
}

/**
 * Validated DTOs are class instances; events must be plain JSON with no
 * undefined keys, so that equality checks in deciders and stored bytes do not
 * depend on how the request was parsed. What a JSON round trip makes of the
 * DTO, copied directly when it holds nothing but JSON (every validated body),
 * which costs a fraction of printing and parsing it on every write.
 */
export const toPlain = <T>(dto: unknown): T => {
  const copied = copyJsonSafe(dto, 0);
  return (copied === NOT_PLAIN ? JSON.parse(JSON.stringify(dto)) : copied) as T;
};
