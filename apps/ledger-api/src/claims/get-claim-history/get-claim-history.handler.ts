import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ClaimHistoryDoc, SqliteReadModelStore } from '@ledger/read-models';
import { GetClaimHistoryQuery } from './get-claim-history.query';

@QueryHandler(GetClaimHistoryQuery)
export class GetClaimHistoryHandler implements IQueryHandler<GetClaimHistoryQuery, ClaimHistoryDoc | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId, claimId }: GetClaimHistoryQuery): Promise<ClaimHistoryDoc | undefined> {
    // Claims are keyed by incident: another incident's path does not find it.
    return this.readModels.claimHistory(incidentId, claimId);
  }
}
