import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ACTIVITY_CLOCKS, ACTIVITY_GROUPS, ActivityClock, ActivityGroup } from '@ledger/read-models';
import { PARTY_ID_PATTERN } from '../../claims/shared/assertions.dto';
import { StatsQueryDto } from '../shared/stats-query.dto';

export class ActivityStatsQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({ enum: ACTIVITY_CLOCKS, default: 'recorded', description: 'occurred: when the incident happened; stated: when the party said it; recorded: when the ledger recorded it' })
  @IsOptional()
  @IsIn(ACTIVITY_CLOCKS)
  clock?: ActivityClock;

  @ApiPropertyOptional({ enum: ACTIVITY_GROUPS, default: 'none', description: 'party: one series per party (the denier for a denial); category: per incident category' })
  @IsOptional()
  @IsIn(ACTIVITY_GROUPS)
  by?: ActivityGroup;

  @ApiPropertyOptional({ example: 'karabakh-defense-army', description: 'Only what this party said' })
  @IsOptional()
  @Matches(PARTY_ID_PATTERN)
  party?: string;
}
