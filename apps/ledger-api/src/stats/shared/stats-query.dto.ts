import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { ACLED_EVENT_TYPES, AcledEventType } from '@ledger/domain';
import { STAT_BUCKETS, StatBucket } from '@ledger/read-models';
import { CsvFormatQuery } from '../../platform/http/conditional-get.csv';

/** What every statistics route takes: a time bucket, bounds on its clock, a category. */
export class StatsQueryDto {
  @ApiPropertyOptional({ enum: STAT_BUCKETS, default: 'none', description: 'day, week (starting Monday) or month buckets; none: one total' })
  @IsOptional()
  @IsIn(STAT_BUCKETS)
  bucket?: StatBucket;

  @ApiPropertyOptional({ example: '2019-05-01', description: 'Only what falls on or after this date (or date-time) on the chosen clock' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^.{1,40}$/)
  from?: string;

  @ApiPropertyOptional({ example: '2019-06-30', description: 'Only what falls on or before this date (or date-time) on the chosen clock' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^.{1,40}$/)
  to?: string;

  @ApiPropertyOptional({ enum: ACLED_EVENT_TYPES, description: "Only incidents of this ACLED event type" })
  @IsOptional()
  @IsIn(ACLED_EVENT_TYPES)
  category?: AcledEventType;

  @CsvFormatQuery()
  format?: 'json' | 'csv';
}
