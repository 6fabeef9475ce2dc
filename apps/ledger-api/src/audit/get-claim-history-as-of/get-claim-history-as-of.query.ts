import { Query } from '@nestjs/cqrs';
import { AsOf, AsOfJson, ClaimHistoryDoc } from '@ledger/read-models';

/** A claim's full history as of a moment, with the moment and the log position it corresponds to. */
export type ClaimHistoryAsOf = { asOf: AsOfJson; position: string } & ClaimHistoryDoc;

export class GetClaimHistoryAsOfQuery extends Query<ClaimHistoryAsOf | undefined> {
  constructor(
    readonly incidentId: string,
    readonly claimId: string,
    readonly asOf: AsOf,
  ) {
    super();
  }
}
