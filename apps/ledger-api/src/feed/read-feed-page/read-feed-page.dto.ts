import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';
import { FeedFilterQueryDto } from '../shared/feed-filter.dto';
import { IsFeedPosition } from '../shared/feed-position';
import { LedgerCloudEventDto } from '../shared/ledger-cloud-event.dto';

export const DEFAULT_FEED_PAGE_LIMIT = 100;
export const MAX_FEED_PAGE_LIMIT = 1000;

export class ReadFeedPageQueryDto extends FeedFilterQueryDto {
  @ApiPropertyOptional({
    type: String,
    example: '0',
    default: '0',
    description: 'Exclusive global position: events after it. Pass the previous page\'s `next`.',
  })
  @IsOptional()
  @IsFeedPosition()
  after?: string;

  @WholeNumberQuery({ minimum: 1, maximum: MAX_FEED_PAGE_LIMIT, default: DEFAULT_FEED_PAGE_LIMIT, description: 'Most events per page' })
  limit?: number;
}

export class FeedPageDto {
  @ApiProperty({ type: [LedgerCloudEventDto], description: 'Matching ledger events after `after`, in global order' })
  items!: LedgerCloudEventDto[];

  @ApiProperty({
    example: '1234',
    description:
      'The `after` of the next page: the position of the last event looked at, returned or not, so that a rare filter ' +
      'still makes progress. Equal to `after` when nothing follows yet.',
  })
  next!: string;

  @ApiProperty({ example: '1300', description: 'The head of the global log when the page was read; caught up when `next` reaches it' })
  head!: string;
}
