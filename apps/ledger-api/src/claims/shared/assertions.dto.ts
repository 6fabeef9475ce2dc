import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CASUALTY_CATEGORIES, CasualtyCategory, NATIONALITY_PATTERN, PERSON_STATUSES, PersonStatus } from '@ledger/domain';
import { EstimateDto, MAX_LINE, PlaceDto, TimeIntervalDto } from './values.dto';
import { Optional } from '../../platform/http/dto/optional';

// Every nested member says @IsObject (with `each` on lists): @ValidateNested alone takes an array for an object, and
// validates the members of a nested array as if they were the list's items, so `[[]]` or `[{…}]` would pass.

export const PARTY_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_LIST = 50;

export class NamedPersonDto {
  @ApiProperty({ example: 'Aqil Omarov' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  name!: string;

  @ApiPropertyOptional({ example: 'mid-ranking officer' })
  @Optional()
  @IsString()
  @MaxLength(MAX_LINE)
  role?: string;

  @ApiProperty({ enum: PERSON_STATUSES, example: 'killed' })
  @IsIn(PERSON_STATUSES)
  status!: PersonStatus;
}

export class CasualtyReportDto {
  @ApiPropertyOptional({
    example: 'azerbaijan-defence-ministry',
    description: 'The registered party whose people these are; omitted: attributed to no side (e.g. passengers). Civilians and unknowns are a category, not a side.',
  })
  @Optional()
  @IsString()
  @Matches(PARTY_ID_PATTERN)
  side?: string;

  @ApiPropertyOptional({ enum: CASUALTY_CATEGORIES, example: 'civilians' })
  @Optional()
  @IsIn(CASUALTY_CATEGORIES)
  category?: CasualtyCategory;

  @ApiPropertyOptional({ example: 'NL', description: 'Nationality of the group: ISO 3166-1 alpha-2, upper case' })
  @Optional()
  @IsString()
  @Matches(NATIONALITY_PATTERN, { message: 'nationality must be an ISO 3166-1 alpha-2 code such as NL' })
  nationality?: string;

  @ApiPropertyOptional({ type: EstimateDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => EstimateDto)
  killed?: EstimateDto;

  @ApiPropertyOptional({ type: EstimateDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => EstimateDto)
  wounded?: EstimateDto;

  @ApiPropertyOptional({ type: [NamedPersonDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => NamedPersonDto)
  named?: NamedPersonDto[];
}

export class CeasefireDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  violated!: boolean;

  @ApiPropertyOptional({ example: ['karabakh-defense-army'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @Matches(PARTY_ID_PATTERN, { each: true })
  by?: string[];
}

export class AssertionsDto {
  @ApiPropertyOptional({ example: ['karabakh-defense-army'], description: 'Parties the claimant holds responsible' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @Matches(PARTY_ID_PATTERN, { each: true })
  responsibleParties?: string[];

  @ApiPropertyOptional({ type: CeasefireDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => CeasefireDto)
  ceasefire?: CeasefireDto;

  @ApiPropertyOptional({ type: [CasualtyReportDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CasualtyReportDto)
  casualties?: CasualtyReportDto[];

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
}
