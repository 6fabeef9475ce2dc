import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { FeedFilterQueryDto } from '../shared/feed-filter.dto';
import { IsFeedPosition } from '../shared/feed-position';

export class StreamEventsQueryDto extends FeedFilterQueryDto {
  @ApiPropertyOptional({
    type: String,
    example: '0',
    default: '0',
    description: 'Exclusive global position to start after (0: the whole log). A `Last-Event-ID` header wins over it.',
  })
  @IsOptional()
  @IsFeedPosition()
  from?: string;
}
