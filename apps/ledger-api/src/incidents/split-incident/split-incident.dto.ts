import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsObject, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { MAX_LINE } from '../../claims/shared/values.dto';
import { IncidentReportDto } from '../shared/incident-report.dto';

export class SplitIncidentDto {
  @ApiProperty({ type: [String], description: 'Claims recorded under this incident that are about another event; they count in the new incident from now on' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  claimIds!: string[];

  @ApiProperty({ type: IncidentReportDto, description: 'The new incident, as the ledger reports it' })
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentReportDto)
  incident!: IncidentReportDto;

  @ApiProperty({ example: 'The Armenian ministry speaks of the night before' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  reason!: string;
}
