import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PARTY_KINDS, PartyKind } from '@ledger/domain';
import { PARTY_ID_PATTERN } from '../../claims/shared/assertions.dto';
import { MAX_LINE } from '../../claims/shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

export class AffiliationDto {
  @ApiPropertyOptional({ example: 'armenia', description: 'The registered party this one belongs to or is backed by' })
  @Optional()
  @Matches(PARTY_ID_PATTERN)
  partyId?: string;

  @ApiProperty({ example: 'Armenian-backed' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  description!: string;
}

export class RegisterPartyDto {
  @ApiProperty({ example: 'karabakh-defense-army', description: 'Slug: lowercase letters, digits, single hyphens' })
  @IsString()
  @Length(2, 80)
  @Matches(PARTY_ID_PATTERN, { message: 'partyId must be lowercase letters and digits separated by single hyphens' })
  partyId!: string;

  @ApiProperty({ example: 'Nagorno-Karabakh Defense Army' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  name!: string;

  @ApiProperty({ enum: PARTY_KINDS, example: 'armed-force', description: 'What the party is; a state-owned manufacturer is a company, a criminal investigation an investigative-body' })
  @IsIn(PARTY_KINDS)
  kind!: PartyKind;

  @ApiPropertyOptional({ example: 'State-owned manufacturer of air-defence missiles', description: 'Who the party is, in your words' })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  description?: string;

  @ApiPropertyOptional({ type: AffiliationDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => AffiliationDto)
  affiliation?: AffiliationDto;

  @ApiPropertyOptional({ example: ['Karabakh army', 'Defense Army'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_LINE, { each: true })
  aliases?: string[];
}
