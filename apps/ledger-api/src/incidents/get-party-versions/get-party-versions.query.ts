import { Query } from '@nestjs/cqrs';
import { PartyVersionsDoc } from '@ledger/read-models';

export class GetPartyVersionsQuery extends Query<PartyVersionsDoc | undefined> {
  constructor(readonly incidentId: string) {
    super();
  }
}
