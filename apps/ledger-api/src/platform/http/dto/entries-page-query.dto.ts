import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { DEFAULT_ENTRIES_LIMIT, MAX_ENTRIES_LIMIT } from '@ledger/read-models';
import { WholeNumberQuery } from './whole-number-query';

/** A page of an incident's entries in log order: `after` is the `page.next` of the previous page. */
export class EntriesPageQueryDto {
  @WholeNumberQuery({ minimum: 1, maximum: MAX_ENTRIES_LIMIT, default: DEFAULT_ENTRIES_LIMIT, description: 'entries per page' })
  limit?: number;

  @ApiPropertyOptional({ description: 'the `page.next` value of the previous page (a log position); absent: the first page', example: '118' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be the page.next value of a previous page (a log position)' })
  after?: string;
}
