import { Query } from '@nestjs/cqrs';
import { IncidentListItem } from '@ledger/read-models';

export class GetIncidentQuery extends Query<IncidentListItem | undefined> {
  constructor(readonly incidentId: string) {
    super();
  }
}
