import { Query } from '@nestjs/cqrs';
import { IncidentListFilter, IncidentListItem, Page } from '@ledger/read-models';

export class ListIncidentsQuery extends Query<Page<IncidentListItem>> {
  constructor(readonly filter: IncidentListFilter) {
    super();
  }
}
