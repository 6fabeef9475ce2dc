import { Query } from '@nestjs/cqrs';
import type { LedgerCloudEvent } from '@ledger/contracts';
import type { FeedFilter } from '../shared/feed-filter';

export interface FeedPage {
  items: LedgerCloudEvent[];
  next: string;
  head: string;
}

export class ReadFeedPageQuery extends Query<FeedPage> {
  constructor(
    readonly after: bigint,
    readonly limit: number,
    readonly filter: FeedFilter,
  ) {
    super();
  }
}
