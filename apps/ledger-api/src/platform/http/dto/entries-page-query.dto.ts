import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DEFAULT_ENTRIES_LIMIT, MAX_ENTRIES_LIMIT } from '@ledger/read-models';

/** A page of an incident's entries in log order: `after` is the `page.next` of the previous page. */
export class EntriesPageQueryDto {
  @ApiPropertyOptional({ default: DEFAULT_ENTRIES_LIMIT, minimum: 1, maximum: MAX_ENTRIES_LIMIT, description: 'entries per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ENTRIES_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'the `page.next` value of the previous page (a log position); absent: the first page', example: '118' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be the page.next value of a previous page (a log position)' })
  after?: string;
}
