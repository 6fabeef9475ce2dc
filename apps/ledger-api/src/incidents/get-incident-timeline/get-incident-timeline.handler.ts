import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IncidentTimelineDoc, SqliteReadModelStore } from '@ledger/read-models';
import { GetIncidentTimelineQuery } from './get-incident-timeline.query';

@QueryHandler(GetIncidentTimelineQuery)
export class GetIncidentTimelineHandler implements IQueryHandler<GetIncidentTimelineQuery, IncidentTimelineDoc | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId }: GetIncidentTimelineQuery): Promise<IncidentTimelineDoc | undefined> {
    return this.readModels.incidentTimeline(incidentId);
  }
}
