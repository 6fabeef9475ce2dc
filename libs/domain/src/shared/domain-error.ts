/**
 * Every refusal of a decider is a DomainError with a stable code. The HTTP
 * layer maps `kind` to a status: not-found -> 404, conflict -> 409,
 * rule -> 422; `field` names the input at fault when there is one.
 */
export type DomainErrorKind = 'not-found' | 'conflict' | 'rule';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'rule',
    readonly field?: string,
    /** Facts the client acts on (e.g. the survivor a merged incident points to), as extra members of the problem. */
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
