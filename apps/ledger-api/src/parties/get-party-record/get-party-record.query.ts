import { Query } from '@nestjs/cqrs';
import { PartyRecordDoc } from '@ledger/read-models';

export class GetPartyRecordQuery extends Query<PartyRecordDoc | undefined> {
  constructor(readonly partyId: string) {
    super();
  }
}
