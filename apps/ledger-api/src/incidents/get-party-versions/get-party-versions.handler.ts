import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PartyVersionsDoc, SqliteReadModelStore } from '@ledger/read-models';
import { GetPartyVersionsQuery } from './get-party-versions.query';

@QueryHandler(GetPartyVersionsQuery)
export class GetPartyVersionsHandler implements IQueryHandler<GetPartyVersionsQuery, PartyVersionsDoc | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId }: GetPartyVersionsQuery): Promise<PartyVersionsDoc | undefined> {
    const doc = this.readModels.partyVersions(incidentId);
    return doc?.incident ? doc : undefined;
  }
}
