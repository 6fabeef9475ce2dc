import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ClaimHistoryDoc, SqliteReadModelStore } from '@ledger/read-models';
import { GetClaimHistoryQuery } from './get-claim-history.query';

@QueryHandler(GetClaimHistoryQuery)
export class GetClaimHistoryHandler implements IQueryHandler<GetClaimHistoryQuery, ClaimHistoryDoc | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId, claimId }: GetClaimHistoryQuery): Promise<ClaimHistoryDoc | undefined> {
    const doc = this.readModels.claimHistory(claimId);
    // A claim is addressed through its incident; another incident's path must not reveal it.
    return doc?.incidentId === incidentId ? doc : undefined;
  }
}
