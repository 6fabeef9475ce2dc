import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IncidentListItem, SqliteReadModelStore } from '@ledger/read-models';
import { GetIncidentQuery } from './get-incident.query';

@QueryHandler(GetIncidentQuery)
export class GetIncidentHandler implements IQueryHandler<GetIncidentQuery, IncidentListItem | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId }: GetIncidentQuery): Promise<IncidentListItem | undefined> {
    return this.readModels.incident(incidentId);
  }
}
