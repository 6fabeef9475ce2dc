import { InformationCredibility, SourceReliability } from '@ledger/domain';
import { MinCredibilityQuery, MinReliabilityQuery } from '../../platform/http/dto/min-grade-query';
import { AsOfQueryDto } from '../audit-http';

const COUNTED = 'As in GET /incidents/{incidentId}/versions: count only claims whose current version (as of the moment) is';

/** At most one of recordedAsOf, statedAsOf, position; none means now. */
export class GetVersionsAsOfQueryDto extends AsOfQueryDto {
  @MinReliabilityQuery(COUNTED)
  minReliability?: SourceReliability;

  @MinCredibilityQuery(COUNTED)
  minCredibility?: InformationCredibility;
}
