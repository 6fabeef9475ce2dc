import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { AssertionsDto } from '../../ledger/dto/assertions.dto';
import { PartyUtteranceDto } from '../../ledger/dto/claim-fields.dto';

export class MakeClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({ type: [String], description: 'Ids of claims of this incident that this claim answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  answers?: string[];

  @ApiPropertyOptional({ type: AssertionsDto, description: 'What the party asserts, field by field' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionsDto)
  assertions?: AssertionsDto;
}
