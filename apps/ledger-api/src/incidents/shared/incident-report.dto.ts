import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { CasualtyReportDto } from '../../claims/shared/assertions.dto';
import { IncidentCategoryDto, TollField } from './incident-category.dto';
import { MAX_LINE, MAX_TEXT, PlaceDto, TimeIntervalDto } from '../../claims/shared/values.dto';

/** An incident report as a request states it: a new incident, or the incident a split makes. */
export class IncidentReportDto {
  @ApiProperty({ example: 'Deadly ceasefire violations on the Karabakh line of contact' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  title!: string;

  @ApiProperty({ example: "Both sides report a serviceman killed by the other's fire at the end of May 2019." })
  @IsString()
  @MaxLength(MAX_TEXT)
  summary!: string;

  @ApiProperty({ type: TimeIntervalDto, description: 'When it happened (valid time), with precision' })
  @IsObject()
  @ValidateNested()
  @Type(() => TimeIntervalDto)
  occurred!: TimeIntervalDto;

  @ApiProperty({ type: PlaceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PlaceDto)
  location!: PlaceDto;

  @ApiProperty({ type: IncidentCategoryDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentCategoryDto)
  category!: IncidentCategoryDto;

  @TollField()
  toll?: CasualtyReportDto[];
}
