/**
 * A page of a long list of entries (claims and denials of an incident,
 * timeline lines), in log order, by keyset: `after` is the log position of
 * the last entry of the previous page, so a page costs the same whatever
 * its place in the list, and entries recorded meanwhile never shift it.
 */
export interface EntriesPageRequest {
  /** Entries per page; undefined: all of them (time travel, exports). */
  limit?: number;
  /** A decimal log position: entries strictly after it. */
  after?: string;
  /** Only this claim (no denials made, no other claim; the disagreements stay whole). Paging does not apply. */
  claimId?: string;
}

export interface EntriesPage {
  limit: number | null;
  after: string | null;
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export const DEFAULT_ENTRIES_LIMIT = 100;
export const MAX_ENTRIES_LIMIT = 1000;

const POSITION = /^\d{1,19}$/;

export class InvalidPageError extends Error {
  constructor(
    message: string,
    readonly field: 'limit' | 'after',
  ) {
    super(message);
    this.name = 'InvalidPageError';
  }
}

/** Validates a page request as a client sent it. */
export const entriesPageOf = (request: EntriesPageRequest): { limit?: number; after?: bigint } => {
  const { limit, after } = request;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_ENTRIES_LIMIT)) {
    throw new InvalidPageError(`limit must be a whole number from 1 to ${MAX_ENTRIES_LIMIT}`, 'limit');
  }
  if (after !== undefined && (!POSITION.test(after) || BigInt(after) > 9223372036854775807n)) {
    throw new InvalidPageError('after must be the `next` value of a previous page (a log position)', 'after');
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(after !== undefined ? { after: BigInt(after) } : {}) };
};

/**
 * The first `limit` entries of several lists, each already in log order and
 * fetched with one entry more than the limit, merged by position; `next`
 * tells whether any list has more.
 */
export const mergePage = <T extends { position: bigint }>(
  lists: T[][],
  limit: number | undefined,
): { taken: Set<T>; next: bigint | null } => {
  const merged = lists.flat().sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  if (limit === undefined || merged.length <= limit) return { taken: new Set(merged), next: null };
  const taken = merged.slice(0, limit);
  return { taken: new Set(taken), next: taken[taken.length - 1].position };
};
