import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { AsOf, IncidentChanges, incidentChanges } from '@ledger/read-models';
import { Clock } from '../../application/clock';
import { asOfInput, notAsOf, readIncidentLog } from '../audit-http';
import { GetIncidentChangesQuery } from './get-incident-changes.query';

/** Both moments are folds of the incident's stream (see GetVersionsAsOfHandler); 404 when the incident did not exist at the later one. */
@QueryHandler(GetIncidentChangesQuery)
export class GetIncidentChangesHandler implements IQueryHandler<GetIncidentChangesQuery, IncidentChanges> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async execute({ incidentId, from, to }: GetIncidentChangesQuery): Promise<IncidentChanges> {
    const log = await readIncidentLog(this.store, incidentId);
    const until = to ?? (await this.now(from.clock));
    const changes = asOfInput(() => incidentChanges(log, incidentId, from, until));
    if (!changes.incident.after) throw notAsOf(`Incident ${incidentId}`, changes.to);
    return changes;
  }

  private async now(clock: AsOf['clock']): Promise<AsOf> {
    if (clock === 'position') return { clock, position: await this.store.headPosition() };
    return { clock, at: this.clock.now().toISOString() };
  }
}
