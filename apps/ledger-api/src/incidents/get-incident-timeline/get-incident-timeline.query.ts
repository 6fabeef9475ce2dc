import { Query } from '@nestjs/cqrs';
import { IncidentTimelineDoc } from '@ledger/read-models';

export class GetIncidentTimelineQuery extends Query<IncidentTimelineDoc | undefined> {
  constructor(readonly incidentId: string) {
    super();
  }
}
