import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { AS_OF_CLOCKS, AsOfClock, MAX_ENTRIES_LIMIT, WHOLE_AS_OF_MAX_ENTRIES } from '@ledger/read-models';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';

export class GetIncidentChangesQueryDto {
  @ApiProperty({
    example: '2019-06-03T09:09:30Z',
    description: 'The earlier moment: an ISO-8601 instant with offset, or a date (its end), for the recorded and stated clocks; a global log position for the position clock.',
  })
  @IsString()
  from!: string;

  @ApiPropertyOptional({ example: '2019-06-03T09:14:00Z', description: 'The later moment, written like `from`; now when absent. Must not be before `from`.' })
  @IsOptional()
  @IsString()
  to?: string;

  @ApiPropertyOptional({ enum: AS_OF_CLOCKS, default: 'recorded', description: 'The clock both moments are on: recorded time, stated time or global log position.' })
  @IsOptional()
  @IsIn(AS_OF_CLOCKS)
  clock?: AsOfClock;

  @WholeNumberQuery({
    minimum: 1,
    maximum: MAX_ENTRIES_LIMIT,
    description: `claims and denials (at either moment) per page, in log order, as the versions page; absent: all of them up to ${WHOLE_AS_OF_MAX_ENTRIES}, past that the first ${WHOLE_AS_OF_MAX_ENTRIES} with page.next`,
  })
  limit?: number;

  @ApiPropertyOptional({ description: 'the `page.next` value of the previous page (a log position); absent: the first page', example: '118' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be the page.next value of a previous page (a log position)' })
  after?: string;
}
