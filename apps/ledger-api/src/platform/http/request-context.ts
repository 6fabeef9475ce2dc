// One seam between use-case controllers and the platform's auth/correlation pieces.
export { CurrentPrincipal, Roles, Public } from '../auth';
export type { Principal } from '../auth';
export { CorrelationId } from './correlation';
