import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PartyRecordDoc, SqliteReadModelStore } from '@ledger/read-models';
import { GetPartyRecordQuery } from './get-party-record.query';

@QueryHandler(GetPartyRecordQuery)
export class GetPartyRecordHandler implements IQueryHandler<GetPartyRecordQuery, PartyRecordDoc | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ partyId }: GetPartyRecordQuery): Promise<PartyRecordDoc | undefined> {
    return this.readModels.partyRecord(partyId);
  }
}
