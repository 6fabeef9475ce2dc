import { Module } from '@nestjs/common';
import { ReadFeedPageController } from './read-feed-page/read-feed-page.controller';
import { StreamEventsController } from './stream-events/stream-events.controller';
import { ClaimOwners } from './shared/claim-owners.service';
import { FeedLog } from './shared/feed-log.service';
import { FeedHub } from './shared/feed-hub.service';

@Module({
  controllers: [
    ReadFeedPageController,
    StreamEventsController,
  ],
  providers: [
    ClaimOwners,
    FeedLog,
    FeedHub,
  ],
})
export class FeedModule {}
