import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IncidentListItem, InvalidQueryError, Page, SqliteReadModelStore } from '@ledger/read-models';
import { ProblemException } from '../../platform/problem/problem.exception';
import { ListIncidentsQuery } from './list-incidents.query';

@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery, Page<IncidentListItem>> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ filter }: ListIncidentsQuery): Promise<Page<IncidentListItem>> {
    try {
      return this.readModels.listIncidents(filter);
    } catch (error) {
      if (error instanceof InvalidQueryError) throw new ProblemException(400, 'invalid-query', error.message, { field: error.field });
      throw error;
    }
  }
}
