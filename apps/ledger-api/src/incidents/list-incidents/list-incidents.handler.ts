import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IncidentListItem, Page, SqliteReadModelStore } from '@ledger/read-models';
import { ListIncidentsQuery } from './list-incidents.query';

@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery, Page<IncidentListItem>> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ filter }: ListIncidentsQuery): Promise<Page<IncidentListItem>> {
    return this.readModels.listIncidents(filter);
  }
}
