import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PERSON_STATUSES, PersonStatus } from '@ledger/domain';
import { EstimateDto, MAX_LINE, PlaceDto, TimeIntervalDto } from './values.dto';

export const PARTY_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_LIST = 50;

export class NamedPersonDto {
  @ApiProperty({ example: 'Aqil Omarov' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  name!: string;

  @ApiPropertyOptional({ example: 'mid-ranking officer' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_LINE)
  role?: string;

  @ApiProperty({ enum: PERSON_STATUSES, example: 'killed' })
  @IsIn(PERSON_STATUSES)
  status!: PersonStatus;
}

export class CasualtyReportDto {
  @ApiProperty({ example: 'azerbaijan-defence-ministry', description: 'A party id, or "civilians" / "unknown"' })
  @IsString()
  @Matches(PARTY_ID_PATTERN)
  side!: string;

  @ApiPropertyOptional({ type: EstimateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EstimateDto)
  killed?: EstimateDto;

  @ApiPropertyOptional({ type: EstimateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EstimateDto)
  wounded?: EstimateDto;

  @ApiPropertyOptional({ type: [NamedPersonDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @ValidateNested({ each: true })
  @Type(() => NamedPersonDto)
  named?: NamedPersonDto[];
}

export class CeasefireDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  violated!: boolean;

  @ApiPropertyOptional({ example: ['karabakh-defense-army'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @Matches(PARTY_ID_PATTERN, { each: true })
  by?: string[];
}

export class AssertionsDto {
  @ApiPropertyOptional({ example: ['karabakh-defense-army'], description: 'Parties the claimant holds responsible' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @Matches(PARTY_ID_PATTERN, { each: true })
  responsibleParties?: string[];

  @ApiPropertyOptional({ type: CeasefireDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CeasefireDto)
  ceasefire?: CeasefireDto;

  @ApiPropertyOptional({ type: [CasualtyReportDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @ValidateNested({ each: true })
  @Type(() => CasualtyReportDto)
  casualties?: CasualtyReportDto[];

  @ApiPropertyOptional({ type: TimeIntervalDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TimeIntervalDto)
  occurred?: TimeIntervalDto;

  @ApiPropertyOptional({ type: PlaceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PlaceDto)
  location?: PlaceDto;
}
