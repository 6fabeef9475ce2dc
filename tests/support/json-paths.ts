export type JsonPath = Array<string | number>;

/** Every path into a JSON value (objects, arrays and leaves), e.g. ['assertions', 'casualties', 0, 'killed']. */
export const jsonPaths = (value: unknown, prefix: JsonPath = []): JsonPath[] => {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...(prefix.length > 0 ? [prefix] : []), ...children.flatMap(([k, v]) => jsonPaths(v, [...prefix, k]))];
};

/** A copy of `value` with the member at `path` replaced (undefined: removed). */
export const withReplaced = (value: unknown, path: JsonPath, replacement: unknown): unknown => {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
};

/** The member of `value` at `path`. */
export const valueAt = (value: unknown, path: JsonPath): unknown => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
