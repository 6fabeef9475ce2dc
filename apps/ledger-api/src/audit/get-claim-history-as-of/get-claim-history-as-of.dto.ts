import { AsOfQueryDto } from '../audit-http';

/** At most one of recordedAsOf, statedAsOf, position; none means now. */
export class GetClaimHistoryAsOfQueryDto extends AsOfQueryDto {}
