import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, Min } from 'class-validator';
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

  @ApiPropertyOptional({
    example: 1,
    minimum: 1,
    description:
      "The claim version denied (1 = as made). Omitted: the claim's current version. A denial stays with the version it denies when the claim is corrected later; a version the claim does not have is refused (422 claim-version-not-found).",
  })
  @Optional()
  @IsInt()
  @Min(1)
  claimVersion?: number;
}
