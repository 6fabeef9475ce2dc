import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { INFORMATION_CREDIBILITIES, InformationCredibility, SOURCE_RELIABILITIES, SourceReliability } from '@ledger/domain';
import { MAX_TEXT } from '../shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

export class GradeSourceDto {
  @ApiProperty({
    enum: SOURCE_RELIABILITIES,
    example: 'B',
    description:
      'Reliability of the source of the graded version (Admiralty system): A completely reliable, B usually reliable, C fairly reliable, D not usually reliable, E unreliable, F reliability cannot be judged. One capital letter.',
  })
  @IsIn(SOURCE_RELIABILITIES)
  reliability!: SourceReliability;

  @ApiProperty({
    type: 'integer',
    enum: INFORMATION_CREDIBILITIES,
    example: 2,
    description:
      'Credibility of the information: 1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 truth cannot be judged. A JSON number, not text.',
  })
  @IsInt()
  @IsIn(INFORMATION_CREDIBILITIES)
  credibility!: InformationCredibility;

  @ApiPropertyOptional({
    example: 1,
    minimum: 1,
    description:
      "The claim version graded (1 = as made). Omitted: the claim's current version. Each version has its own source, so a correction starts ungraded; a version the claim does not have is refused (422 claim-version-not-found).",
  })
  @Optional()
  @IsInt()
  @Min(1)
  claimVersion?: number;

  @ApiPropertyOptional({
    example: 'The ministry’s figures for its own losses have matched funerals reported locally.',
    description: 'Why this grade. Required to regrade a version already graded (422 text-required otherwise), so the audit trail says why the grade moved.',
  })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  reason?: string;
}
