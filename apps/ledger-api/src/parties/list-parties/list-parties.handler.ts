import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, PartyRecordDoc, SqliteReadModelStore } from '@ledger/read-models';
import { ListPartiesQuery } from './list-parties.query';

@QueryHandler(ListPartiesQuery)
export class ListPartiesHandler implements IQueryHandler<ListPartiesQuery, Page<PartyRecordDoc>> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ page }: ListPartiesQuery): Promise<Page<PartyRecordDoc>> {
    return this.readModels.listPartyRecords(page);
  }
}
