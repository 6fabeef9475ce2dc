import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PartyVersionsPage, SqliteReadModelStore } from '@ledger/read-models';
import { pagedRead } from '../../platform/http/query-http';
import { GetPartyVersionsQuery } from './get-party-versions.query';

@QueryHandler(GetPartyVersionsQuery)
export class GetPartyVersionsHandler implements IQueryHandler<GetPartyVersionsQuery, PartyVersionsPage | undefined> {
  constructor(private readonly readModels: SqliteReadModelStore) {}

  async execute({ incidentId, page }: GetPartyVersionsQuery): Promise<PartyVersionsPage | undefined> {
    const doc = pagedRead(() => this.readModels.partyVersions(incidentId, page));
    return doc?.incident ? doc : undefined;
  }
}
