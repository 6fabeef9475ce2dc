import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { FeedLog } from '../shared/feed-log.service';
import { FeedPage, ReadFeedPageQuery } from './read-feed-page.query';

/**
 * Events looked at per request: this many per requested event, and at least MIN_SCAN. Bounds the cost of one
 * request under a rare filter; the client goes on from `next`.
 */
export const SCAN_PER_LIMIT = 10;
export const MIN_SCAN = 1000;

@QueryHandler(ReadFeedPageQuery)
export class ReadFeedPageHandler implements IQueryHandler<ReadFeedPageQuery, FeedPage> {
  constructor(private readonly log: FeedLog) {}

  async execute({ after, limit, filter }: ReadFeedPageQuery): Promise<FeedPage> {
    const { entries, next } = await this.log.scan(after, { filter, limit, maxScan: Math.max(MIN_SCAN, limit * SCAN_PER_LIMIT) });
    // Read after the scan, so that head >= next.
    const head = await this.log.head();
    return { items: entries.map((entry) => entry.event), next: next.toString(), head: (head > next ? head : next).toString() };
  }
}
