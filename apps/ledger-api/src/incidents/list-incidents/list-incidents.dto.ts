import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { ACLED_EVENT_TYPES, AcledEventType, InformationCredibility, SourceReliability } from '@ledger/domain';
import { PARTY_ID_PATTERN } from '../../claims/shared/assertions.dto';
import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { SearchQuery } from '../../platform/http/dto/search-query';
import { CsvFormatQuery } from '../../platform/http/conditional-get.csv';
import { MinCredibilityQuery, MinReliabilityQuery } from '../../platform/http/dto/min-grade-query';

const HOLDING = 'Only incidents with at least one standing (not retracted) claim whose current version is';

export class ListIncidentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'karabakh-defense-army', description: 'Incidents in which this party said something' })
  @IsOptional()
  @Matches(PARTY_ID_PATTERN)
  party?: string;

  @ApiPropertyOptional({ enum: ACLED_EVENT_TYPES, description: "Only incidents of this ACLED event type" })
  @IsOptional()
  @IsIn(ACLED_EVENT_TYPES)
  category?: AcledEventType;

  @ApiPropertyOptional({ description: 'true: only incidents where the parties disagree; false: only uncontested ones' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  contested?: boolean;

  @ApiPropertyOptional({ example: '2019-05-01', description: 'Incidents that happened (in part) on or after this date' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2019-06-30', description: 'Incidents that happened (in part) on or before this date' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @SearchQuery('incidents where every word (case-insensitive) appears in the title, the summary, the place name, or the name or id of a party that spoke in it', 'shelling azerbaijan')
  q?: string;

  @MinReliabilityQuery(HOLDING)
  minReliability?: SourceReliability;

  @MinCredibilityQuery(HOLDING)
  minCredibility?: InformationCredibility;

  @CsvFormatQuery()
  format?: 'json' | 'csv';
}
