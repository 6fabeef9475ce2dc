import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { ASSERTION_FIELDS, AssertionField } from '@ledger/domain';
import { PartyUtteranceDto } from '../shared/claim-fields.dto';
import { Optional } from '../../platform/http/dto/optional';

export class DenyClaimDto extends PartyUtteranceDto {
  @ApiPropertyOptional({
    enum: ASSERTION_FIELDS,
    isArray: true,
    example: ['ceasefire', 'responsibleParties'],
    description: 'Which assertions of the claim are denied; omitted or empty means the claim as a whole',
  })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ASSERTION_FIELDS.length)
  @IsIn(ASSERTION_FIELDS, { each: true })
  deniedAssertions?: AssertionField[];
}
