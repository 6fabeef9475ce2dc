import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ASSERTION_FIELDS, AssertionField, EntryRef } from '@ledger/domain';
import { AssertionsDto, CasualtyReportDto } from '../../claims/shared/assertions.dto';
import { IncidentCategoryDto, TollField } from '../../incidents/shared/incident-category.dto';
import {
  MAX_LINE,
  MAX_TEXT,
  PlaceDto,
  PointInTimeDto,
  SourceDto,
  StatementDto,
  TimeIntervalDto,
} from '../../claims/shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

const ENTRY_KINDS = ['incident', 'claim', 'denial', 'retraction'] as const;

export class EntryRefDto {
  @ApiProperty({ enum: ENTRY_KINDS, example: 'claim' })
  @IsIn(ENTRY_KINDS)
  kind!: EntryRef['kind'];

  @ApiPropertyOptional({ description: 'For kind claim and retraction' })
  @ValidateIf((o: EntryRefDto) => o.kind === 'claim' || o.kind === 'retraction')
  @IsUUID()
  claimId?: string;

  @ApiPropertyOptional({ example: 1, description: 'For kind claim: the version whose transcription is fixed' })
  @ValidateIf((o: EntryRefDto) => o.kind === 'claim')
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ description: 'For kind denial' })
  @ValidateIf((o: EntryRefDto) => o.kind === 'denial')
  @IsUUID()
  denialId?: string;
}

export class EntryChangesDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  title?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(MAX_TEXT)
  summary?: string;

  @ApiPropertyOptional({ type: TimeIntervalDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => TimeIntervalDto)
  occurred?: TimeIntervalDto;

  @ApiPropertyOptional({ type: PlaceDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => PlaceDto)
  location?: PlaceDto;

  @ApiPropertyOptional({ type: IncidentCategoryDto, description: 'For the incident' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentCategoryDto)
  category?: IncidentCategoryDto;

  @TollField()
  toll?: CasualtyReportDto[];

  @ApiPropertyOptional({ type: StatementDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatementDto)
  statement?: StatementDto;

  @ApiPropertyOptional({ type: PointInTimeDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => PointInTimeDto)
  statedAt?: PointInTimeDto;

  @ApiPropertyOptional({ type: SourceDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => SourceDto)
  source?: SourceDto;

  @ApiPropertyOptional({ type: AssertionsDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionsDto)
  assertions?: AssertionsDto;

  @ApiPropertyOptional({ enum: ASSERTION_FIELDS, isArray: true, description: 'For a claim: assertion fields recorded although the party never asserted them' })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ASSERTION_FIELDS.length)
  @IsIn(ASSERTION_FIELDS, { each: true })
  removedAssertions?: AssertionField[];

  @ApiPropertyOptional({ enum: ASSERTION_FIELDS, isArray: true, description: 'For a denial' })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ASSERTION_FIELDS.length)
  @IsIn(ASSERTION_FIELDS, { each: true })
  deniedAssertions?: AssertionField[];

  @ApiPropertyOptional({
    example: 1,
    description: 'For a denial: the claim version it denies, when the ledger bound it to the wrong one (a denial recorded before denials named a version is bound to the version current when it was recorded)',
  })
  @Optional()
  @IsInt()
  @Min(1)
  claimVersion?: number;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  reason?: string;
}

export class AmendEntryDto {
  @ApiProperty({ type: EntryRefDto, description: 'The earlier entry of this incident whose transcription is wrong' })
  @IsObject()
  @ValidateNested()
  @Type(() => EntryRefDto)
  entry!: EntryRefDto;

  @ApiProperty({ type: EntryChangesDto, description: 'The corrected values; allowed keys depend on the entry kind' })
  @IsObject()
  @ValidateNested()
  @Type(() => EntryChangesDto)
  changes!: EntryChangesDto;

  @ApiProperty({ example: "Transcription error: the report spells the soldier's name Sipan Melkonian." })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  reason!: string;
}
