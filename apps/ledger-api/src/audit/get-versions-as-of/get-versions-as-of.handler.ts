import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { asOfToJson, partyVersionsAsOf } from '@ledger/read-models';
import { readIncidentLog } from '../audit-http';
import { GetVersionsAsOfQuery, VersionsAsOf } from './get-versions-as-of.query';

/**
 * Folds the party-versions projection over the incident's stream up to the
 * moment: the log, not the stored read model, so the past is answered by the
 * same code as the present, and "now" never by a read model that may lag.
 */
@QueryHandler(GetVersionsAsOfQuery)
export class GetVersionsAsOfHandler implements IQueryHandler<GetVersionsAsOfQuery, VersionsAsOf | undefined> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId, asOf }: GetVersionsAsOfQuery): Promise<VersionsAsOf | undefined> {
    const doc = partyVersionsAsOf(await readIncidentLog(this.store, incidentId), incidentId, asOf);
    if (!doc?.incident) return undefined;
    return { asOf: asOfToJson(asOf), position: doc.lastPosition, ...doc };
  }
}
