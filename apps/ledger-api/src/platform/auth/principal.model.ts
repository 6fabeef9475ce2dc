export const ROLES = ['reader', 'recorder', 'auditor', 'integrator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a token may see of the ledger, when limited: events of these incidents, and events of or about these
 * parties. Absent: everything its roles allow.
 */
export interface TokenScope {
  incidents?: string[];
  parties?: string[];
}

/** Who is calling, as established by a bearer token. `id` becomes `recordedBy` on events. */
export interface Principal {
  id: string;
  /** The roles granted in the tokens file (not expanded; see effectiveRoles). */
  roles: Role[];
  scope?: TokenScope;
}

/**
 * admin implies every role; recorder and auditor each imply reader. integrator (the feeds and nothing else) is
 * implied by nobody but admin: an integrator's system reads the event feeds, not the query API or audit reads.
 */
const IMPLIES: Readonly<Record<Role, readonly Role[]>> = {
  reader: [],
  recorder: ['reader'],
  auditor: ['reader'],
  integrator: [],
  admin: ['reader', 'recorder', 'auditor', 'integrator'],
};

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export function effectiveRoles(granted: readonly Role[]): Set<Role> {
  const out = new Set<Role>();
  for (const role of granted) {
    out.add(role);
    for (const implied of IMPLIES[role] ?? []) out.add(implied);
  }
  return out;
}

/** True when the principal holds at least one of `required` (directly or by implication). */
export function hasAnyRole(principal: Pick<Principal, 'roles'>, required: readonly Role[]): boolean {
  if (required.length === 0) return true;
  const held = effectiveRoles(principal.roles);
  return required.some((r) => held.has(r));
}
