import type { LedgerCloudEvent } from '@ledger/contracts';
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

export const readFeedPage = async (log: FeedLog, after: bigint, limit: number, filter: FeedFilter): Promise<FeedPage> => {
  const { entries, next } = await log.scan(after, { filter, limit, maxScan: Math.max(MIN_SCAN, limit * SCAN_PER_LIMIT) });
  // Read after the scan, so that head >= next.
  const head = await log.head();
  return { items: entries.map((entry) => entry.event), next: next.toString(), head: (head > next ? head : next).toString() };
};
