import { Query } from '@nestjs/cqrs';
import { EntriesPageRequest, PartyVersionsPage } from '@ledger/read-models';

export class GetPartyVersionsQuery extends Query<PartyVersionsPage | undefined> {
  constructor(
    readonly incidentId: string,
    readonly page: EntriesPageRequest,
  ) {
    super();
  }
}
