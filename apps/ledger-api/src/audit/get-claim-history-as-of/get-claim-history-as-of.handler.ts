import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { asOfToJson, claimHistoryAsOf, incidentEnvelopesAsOf, lastPositionOf } from '@ledger/read-models';
import { readIncidentLog } from '../audit-http';
import { ClaimHistoryAsOf, GetClaimHistoryAsOfQuery } from './get-claim-history-as-of.query';

/** Folds the claim-history projection over the incident's stream up to the moment (see GetVersionsAsOfHandler). */
@QueryHandler(GetClaimHistoryAsOfQuery)
export class GetClaimHistoryAsOfHandler implements IQueryHandler<GetClaimHistoryAsOfQuery, ClaimHistoryAsOf | undefined> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId, claimId, asOf }: GetClaimHistoryAsOfQuery): Promise<ClaimHistoryAsOf | undefined> {
    const log = await readIncidentLog(this.store, incidentId);
    const doc = claimHistoryAsOf(log, incidentId, claimId, asOf);
    if (!doc) return undefined;
    // The incident's cut, like the versions answer: asking again at this position gives the same history.
    return { asOf: asOfToJson(asOf), position: lastPositionOf(incidentEnvelopesAsOf(log, incidentId, asOf)), ...doc };
  }
}
