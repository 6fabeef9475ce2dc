import type { Principal, TokenScope } from '../../platform/auth/principal.model';
import { ProblemException } from '../../platform/problem/problem.exception';
import type { FeedEntry } from './feed-entry';

/** What a request asks for: each list ORs its values; the lists AND together. Absent or empty: no condition. */
export interface FeedSelection {
  incidents?: readonly string[];
  parties?: readonly string[];
  types?: readonly string[];
}

const setOf = (values: readonly string[] | undefined, lower = false): ReadonlySet<string> | undefined =>
  values && values.length > 0 ? new Set(lower ? values.map((v) => v.toLowerCase()) : values) : undefined;

const sortedOf = (values: ReadonlySet<string> | undefined): string[] | null => (values ? [...values].sort() : null);

const intersects = (a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): boolean => {
  if (!a) return false;
  for (const value of b) if (a.has(value)) return true;
  return false;
};

/**
 * The request's filters AND the token's scope. A scope limits a token to the events of its incidents OR the events
 * of or about its parties; within it, the request may narrow only by what the scope names: an `incident` filter must
 * be one of the scope's incidents and a `party` filter one of its parties (a token scoped to parties only may not
 * filter by incident, and vice versa), else 403 naming the field. `type` is always allowed.
 */
export class FeedFilter {
  private readonly incidents: ReadonlySet<string> | undefined;
  private readonly parties: ReadonlySet<string> | undefined;
  private readonly types: ReadonlySet<string> | undefined;
  private readonly scope: { incidents: ReadonlySet<string>; parties: ReadonlySet<string> } | undefined;
  /** Equal for filters that match the same events: the live fan-out selects each batch's frames once per key. */
  readonly key: string;

  constructor(selection: FeedSelection, scope?: TokenScope) {
    this.incidents = setOf(selection.incidents, true);
    this.parties = setOf(selection.parties);
    this.types = setOf(selection.types);
    if (scope) {
      this.scope = { incidents: setOf(scope.incidents, true) ?? new Set(), parties: setOf(scope.parties) ?? new Set() };
      this.refuseOutsideScope('incident', this.incidents, this.scope.incidents);
      this.refuseOutsideScope('party', this.parties, this.scope.parties);
    }
    this.key = JSON.stringify([this.incidents, this.parties, this.types, this.scope?.incidents, this.scope?.parties].map(sortedOf));
  }

  static for(selection: FeedSelection, principal: Pick<Principal, 'scope'> | undefined): FeedFilter {
    return new FeedFilter(selection, principal?.scope);
  }

  /** True when some events may be left out, i.e. a scan may find fewer matches than events. */
  get selective(): boolean {
    return this.incidents !== undefined || this.parties !== undefined || this.types !== undefined || this.scope !== undefined;
  }

  /** Whether entries must carry their parties for matches() to decide. */
  get needsParties(): boolean {
    return this.parties !== undefined || (this.scope !== undefined && this.scope.parties.size > 0);
  }

  matches(entry: FeedEntry): boolean {
    if (this.types && !this.types.has(entry.type)) return false;
    if (this.incidents && (entry.incidentId === undefined || !this.incidents.has(entry.incidentId))) return false;
    if (this.parties && !intersects(entry.parties, this.parties)) return false;
    if (this.scope) {
      const inIncidents = entry.incidentId !== undefined && this.scope.incidents.has(entry.incidentId);
      if (!inIncidents && !intersects(entry.parties, this.scope.parties)) return false;
    }
    return true;
  }

  private refuseOutsideScope(field: string, requested: ReadonlySet<string> | undefined, allowed: ReadonlySet<string>): void {
    const outside = [...(requested ?? [])].filter((value) => !allowed.has(value));
    if (outside.length === 0) return;
    throw new ProblemException(
      403,
      'outside-token-scope',
      `This token's scope does not include ${field} ${outside.join(', ')}; it may filter by ${field} only within ${
        allowed.size > 0 ? [...allowed].join(', ') : `its scope, which names no ${field}`
      }.`,
      { field, outside },
      { title: 'Filter outside the token scope' },
    );
  }
}
