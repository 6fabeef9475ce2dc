import { Query } from '@nestjs/cqrs';
import { Page, PageRequest, PartyRecordDoc } from '@ledger/read-models';

export class ListPartiesQuery extends Query<Page<PartyRecordDoc>> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
