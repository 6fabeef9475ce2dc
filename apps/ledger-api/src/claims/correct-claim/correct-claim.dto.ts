import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { AssertionsDto } from '../shared/assertions.dto';
import { PartyUtteranceDto } from '../shared/claim-fields.dto';
import { MAX_TEXT, StatementDto } from '../shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

export class CorrectClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({ type: StatementDto, description: "The party's new words, when they changed" })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatementDto)
  declare statement: StatementDto;

  @ApiPropertyOptional({ type: AssertionsDto, description: 'Each assertion field given replaces the same field of the claim' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionsDto)
  assertions?: AssertionsDto;

  @ApiProperty({ example: 'The ministry identified the victim as a mid-ranking officer.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  reason!: string;
}
