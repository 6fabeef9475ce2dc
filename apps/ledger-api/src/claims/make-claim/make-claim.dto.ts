import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsUUID, ValidateNested } from 'class-validator';
import { AssertionsDto } from '../shared/assertions.dto';
import { PartyUtteranceDto } from '../shared/claim-fields.dto';
import { Optional } from '../../platform/http/dto/optional';

export class MakeClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({ type: [String], description: 'Ids of claims of this incident that this claim answers' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  answers?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      "Ids of earlier claims of the same party in this incident that this claim replaces: they stop counting in the party's positions (their history stays) until this claim is retracted. Without it, the party's earlier claims stand beside this one.",
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  supersedes?: string[];

  @ApiPropertyOptional({ type: AssertionsDto, description: 'What the party asserts, field by field' })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionsDto)
  assertions?: AssertionsDto;
}
