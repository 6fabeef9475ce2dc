import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { InformationCredibility, SOURCE_RELIABILITIES, SourceReliability } from '@ledger/domain';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';
import { EntriesListQueryDto } from '../shared/entries-list-query.dto';

export class PartyVersionsQueryDto extends EntriesListQueryDto {
  @ApiPropertyOptional({
    description:
      'Only this claim, under its party, with every version and the denials it received: found by its id whatever its place in a long incident (limit and after do not apply; the disagreements stay whole)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  claim?: string;

  @ApiPropertyOptional({
    enum: SOURCE_RELIABILITIES,
    description:
      'Count only claims whose current version is graded with a source reliability at least this good (A best, F "cannot be judged" last): B admits A and B. Ungraded claims are left out whenever a minimum is given. Claims, denials of them, accounts and disagreements all follow.',
  })
  @IsOptional()
  @IsIn(SOURCE_RELIABILITIES)
  minReliability?: SourceReliability;

  @WholeNumberQuery({
    minimum: 1,
    maximum: 6,
    description:
      'Count only claims whose current version is graded with an information credibility at least this good (1 confirmed best, 6 "cannot be judged" last): 2 admits 1 and 2. Ungraded claims are left out whenever a minimum is given.',
  })
  minCredibility?: InformationCredibility;
}
