import type { LedgerCloudEvent } from '@ledger/contracts';
import { StoreRefusedError } from '@ledger/event-store';
import { RequestValidationException } from '../../platform/problem/validation.pipe';
import type { FeedFilter } from '../shared/feed-filter';
import { FeedLog } from '../shared/feed-log.service';

export interface FeedPage {
  items: LedgerCloudEvent[];
  next: string;
  head: string;
}

/**
 * Events looked at per request: this many per requested event, and at least MIN_SCAN. Bounds the cost of one
 * request under a rare filter; the client goes on from `next`.
 */
export const SCAN_PER_LIMIT = 10;
export const MIN_SCAN = 1000;

const notAPosition = (after: bigint, why: string): RequestValidationException =>
  new RequestValidationException([{ field: 'after', messages: [`after (${after}) ${why}; pass 0 or the \`next\` of a previous page`] }]);

export const readFeedPage = async (log: FeedLog, after: bigint, limit: number, filter: FeedFilter): Promise<FeedPage> => {
  let scan;
  try {
    scan = await log.scan(after, { filter, limit, maxScan: Math.max(MIN_SCAN, limit * SCAN_PER_LIMIT) });
  } catch (error) {
    if (error instanceof StoreRefusedError && error.reason === 'invalid-position') throw notAPosition(after, 'is not the position of an event');
    throw error;
  }
  const { entries, next, scanned } = scan;
  // Read after the scan, so that head >= next.
  const head = await log.head();
  // Past the head, a page would come back empty with next = after, and the events written up to `after` later would
  // be skipped for good.
  if (scanned === 0 && after > head) throw notAPosition(after, `is beyond the head of the log (${head})`);
  return { items: entries.map((entry) => entry.event), next: next.toString(), head: (head > next ? head : next).toString() };
};
