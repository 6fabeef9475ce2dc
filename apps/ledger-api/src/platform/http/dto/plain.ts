/**
 * Validated DTOs are class instances; events must be plain JSON with no
 * undefined keys, so that equality checks in deciders and stored bytes do not
 * depend on how the request was parsed.
 */
export const toPlain = <T>(dto: unknown): T => JSON.parse(JSON.stringify(dto)) as T;
