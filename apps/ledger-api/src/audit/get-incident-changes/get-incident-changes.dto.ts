import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { AS_OF_CLOCKS, AsOfClock } from '@ledger/read-models';

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
}
