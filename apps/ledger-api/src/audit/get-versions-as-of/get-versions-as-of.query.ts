import { Query } from '@nestjs/cqrs';
import { AsOf, AsOfJson, PartyVersionsDoc } from '@ledger/read-models';

/** Each party's version and the disagreements as of a moment, with the moment and the log position it corresponds to. */
export type VersionsAsOf = { asOf: AsOfJson; position: string } & PartyVersionsDoc;

export class GetVersionsAsOfQuery extends Query<VersionsAsOf | undefined> {
  constructor(
    readonly incidentId: string,
    readonly asOf: AsOf,
  ) {
    super();
  }
}
