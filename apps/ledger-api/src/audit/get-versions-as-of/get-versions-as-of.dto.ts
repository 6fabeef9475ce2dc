import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { InformationCredibility, SourceReliability } from '@ledger/domain';
import { MAX_ENTRIES_LIMIT, WHOLE_AS_OF_MAX_ENTRIES } from '@ledger/read-models';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';
import { MinCredibilityQuery, MinReliabilityQuery } from '../../platform/http/dto/min-grade-query';
import { AsOfQueryDto } from '../audit-http';

const COUNTED = 'As in GET /incidents/{incidentId}/versions: count only claims whose current version (as of the moment) is';

/** At most one of recordedAsOf, statedAsOf, position; none means now. */
export class GetVersionsAsOfQueryDto extends AsOfQueryDto {
  @MinReliabilityQuery(COUNTED)
  minReliability?: SourceReliability;

  @MinCredibilityQuery(COUNTED)
  minCredibility?: InformationCredibility;

  @WholeNumberQuery({
    minimum: 1,
    maximum: MAX_ENTRIES_LIMIT,
    description: `claims and denials per page, as on the present's versions; absent: all of them up to ${WHOLE_AS_OF_MAX_ENTRIES}, past that the first ${WHOLE_AS_OF_MAX_ENTRIES} with page.next`,
  })
  limit?: number;

  @ApiPropertyOptional({ description: 'the `page.next` value of the previous page (a log position); absent: the first page', example: '118' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be the page.next value of a previous page (a log position)' })
  after?: string;
}
