import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsString,
  IsUrl,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PLACE_PRECISIONS, PlacePrecision, TIME_PRECISIONS, TimePrecision } from '@ledger/domain';
import { Optional } from '../../platform/http/dto/optional';

// Limits keep one entry readable and bound the size of every event.
export const MAX_TEXT = 20_000;
export const MAX_LINE = 500;

export class PointInTimeDto {
  @ApiProperty({ example: '2019-05-30', description: 'ISO-8601 date or date-time' })
  @IsISO8601({ strict: true })
  at!: string;

  @ApiProperty({ enum: TIME_PRECISIONS, example: 'day' })
  @IsIn(TIME_PRECISIONS)
  precision!: TimePrecision;
}

export class TimeIntervalDto {
  @ApiProperty({ example: '2019-05-30' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ example: '2019-06-01' })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiProperty({ enum: TIME_PRECISIONS, example: 'day' })
  @IsIn(TIME_PRECISIONS)
  precision!: TimePrecision;
}

export class CoordinatesDto {
  @ApiProperty({ example: 40.0 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLatitude()
  lat!: number;

  @ApiProperty({ example: 46.9 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLongitude()
  lon!: number;
}

export class PlaceDto {
  @ApiProperty({ example: 'Line of contact, Nagorno-Karabakh conflict zone' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  name!: string;

  @ApiProperty({ enum: PLACE_PRECISIONS, example: 'region' })
  @IsIn(PLACE_PRECISIONS)
  precision!: PlacePrecision;

  @ApiPropertyOptional({ type: CoordinatesDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => CoordinatesDto)
  coordinates?: CoordinatesDto;
}

export class EstimateDto {
  @ApiProperty({ example: 1, description: 'Best figure' })
  @IsInt()
  @Min(0)
  best!: number;

  @ApiPropertyOptional({ example: 1 })
  @Optional()
  @IsInt()
  @Min(0)
  low?: number;

  @ApiPropertyOptional({ example: 2 })
  @Optional()
  @IsInt()
  @Min(0)
  high?: number;
}

export class StatementDto {
  @ApiProperty({ example: 'One of our servicemen, Aqil Omarov, was shot and killed by enemy fire near Karabakh.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  text!: string;

  @ApiProperty({ example: false, description: 'true for a verbatim quote, false for a paraphrase' })
  @IsBoolean()
  verbatim!: boolean;

  @ApiPropertyOptional({ example: 'en', description: 'BCP 47 language tag' })
  @Optional()
  @IsString()
  @MaxLength(35)
  language?: string;
}

export class SourceDto {
  @ApiProperty({ example: 'Report on Armenian-Azerbaijani accusations over ceasefire violations' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  title!: string;

  @ApiProperty({ example: 'News report of 2019-06-03 (seed article)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  publisher!: string;

  @ApiPropertyOptional({ example: 'https://example.org/news/karabakh-2019-06-03' })
  @Optional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2_000)
  url?: string;

  @ApiPropertyOptional({ example: '2019-06-03' })
  @Optional()
  @IsISO8601({ strict: true })
  publishedAt?: string;

  @ApiPropertyOptional({ example: 'called on the parties to exercise maximum restraint' })
  @Optional()
  @IsString()
  @MaxLength(MAX_TEXT)
  quote?: string;
}
