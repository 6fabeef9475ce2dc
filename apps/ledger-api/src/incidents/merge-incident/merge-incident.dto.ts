import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { MAX_LINE } from '../../claims/shared/values.dto';

export class MergeIncidentDto {
  @ApiProperty({ format: 'uuid', description: 'The incident this one is the same event as; it keeps its id, and this one points to it' })
  @IsUUID('all')
  survivorId!: string;

  @ApiProperty({ example: 'Same night, same sector: the shooting near Tartar reported twice' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LINE)
  reason!: string;
}
