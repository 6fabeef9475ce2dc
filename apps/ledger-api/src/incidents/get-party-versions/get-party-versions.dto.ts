import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { InformationCredibility, SourceReliability } from '@ledger/domain';
import { EntriesListQueryDto } from '../shared/entries-list-query.dto';
import { MinCredibilityQuery, MinReliabilityQuery } from '../../platform/http/dto/min-grade-query';

const COUNTED = 'Count only claims whose current version is';

export class PartyVersionsQueryDto extends EntriesListQueryDto {
  @ApiPropertyOptional({
    description:
      'Only this claim, under its party, with every version and the denials it received: found by its id whatever its place in a long incident (limit and after do not apply; the disagreements stay whole)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  claim?: string;

  @MinReliabilityQuery(COUNTED)
  minReliability?: SourceReliability;

  @MinCredibilityQuery(COUNTED)
  minCredibility?: InformationCredibility;
}
