import { Query } from '@nestjs/cqrs';
import { ClaimHistoryDoc } from '@ledger/read-models';

export class GetClaimHistoryQuery extends Query<ClaimHistoryDoc | undefined> {
  constructor(
    readonly incidentId: string,
    readonly claimId: string,
  ) {
    super();
  }
}
