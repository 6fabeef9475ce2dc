import { Query } from '@nestjs/cqrs';
import { EntriesPageRequest, IncidentTimelinePage } from '@ledger/read-models';

export class GetIncidentTimelineQuery extends Query<IncidentTimelinePage | undefined> {
  constructor(
    readonly incidentId: string,
    readonly page: EntriesPageRequest,
  ) {
    super();
  }
}
