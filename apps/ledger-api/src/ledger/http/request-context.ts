// One seam between use-case controllers and the platform's auth/correlation pieces.
export { CurrentPrincipal, Roles, Public } from '../../platform/auth';
export type { Principal } from '../../platform/auth';
export { CorrelationId } from '../../platform/http/correlation';
