import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { PartyUtteranceDto } from '../shared/claim-fields.dto';
import { MAX_TEXT, StatementDto } from '../shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

export class RetractClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({ type: StatementDto, description: 'The words of the withdrawal, if any' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatementDto)
  declare statement: StatementDto;

  @ApiProperty({ example: 'The ministry withdrew the report after an internal inquiry.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  reason!: string;
}
