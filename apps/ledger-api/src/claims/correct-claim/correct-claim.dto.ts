import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { AssertionsDto } from '../../ledger/dto/assertions.dto';
import { PartyUtteranceDto } from '../../ledger/dto/claim-fields.dto';
import { MAX_TEXT, StatementDto } from '../../ledger/dto/values.dto';

export class CorrectClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({ type: StatementDto, description: "The party's new words, when they changed" })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatementDto)
  declare statement: StatementDto;

  @ApiPropertyOptional({ type: AssertionsDto, description: 'Each assertion field given replaces the same field of the claim' })
  @IsOptional()
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
