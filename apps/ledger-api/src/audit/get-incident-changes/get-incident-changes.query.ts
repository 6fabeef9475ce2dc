import { Query } from '@nestjs/cqrs';
import { AsOf, IncidentChanges } from '@ledger/read-models';

export class GetIncidentChangesQuery extends Query<IncidentChanges> {
  constructor(
    readonly incidentId: string,
    readonly from: AsOf,
    /** Undefined: now, on from's clock. */
    readonly to: AsOf | undefined,
  ) {
    super();
  }
}
