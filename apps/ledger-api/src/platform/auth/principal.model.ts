export const ROLES = ['reader', 'recorder', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established by a bearer token. `id` becomes `recordedBy` on events. */
export interface Principal {
  id: string;
  /** The roles granted in the tokens file (not expanded; see effectiveRoles). */
  roles: Role[];
}

/** admin implies every role; recorder and auditor each imply reader. */
const IMPLIES: Readonly<Record<Role, readonly Role[]>> = {
  reader: [],
  recorder: ['reader'],
  auditor: ['reader'],
  admin: ['reader', 'recorder', 'auditor'],
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
