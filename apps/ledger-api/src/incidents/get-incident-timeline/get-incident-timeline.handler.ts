import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IncidentTimelinePage, SqliteReadModelStore } from '@ledger/read-models';
import { pagedRead } from '../../platform/http/query-http';
import { GetIncidentTimelineQuery } from './get-incident-timeline.query';

@QueryHandler(GetIncidentTimelineQuery)
export class GetIncidentTimelineHandler implements IQueryHandler<GetIncidentTimelineQuery, IncidentTimelinePage | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId, page }: GetIncidentTimelineQuery): Promise<IncidentTimelinePage | undefined> {
    return pagedRead(() => this.readModels.incidentTimeline(incidentId, page));
  }
}
