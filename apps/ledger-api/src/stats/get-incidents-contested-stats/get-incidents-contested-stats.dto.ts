import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { INCIDENT_CLOCKS, IncidentClock } from '@ledger/read-models';
import { StatsQueryDto } from '../shared/stats-query.dto';

export class IncidentsContestedQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({ enum: INCIDENT_CLOCKS, default: 'occurred', description: 'occurred: when the incident happened (its start); recorded: when the ledger recorded its report' })
  @IsOptional()
  @IsIn(INCIDENT_CLOCKS)
  clock?: IncidentClock;
}
