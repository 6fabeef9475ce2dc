import { Inject, Injectable } from '@nestjs/common';
import { partyStream } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';

/**
 * Answers "which of these party ids are registered?" from the party streams
 * themselves, not from a read model, so a command never fails because a
 * projection is behind.
 */
@Injectable()
export class PartyDirectory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async registered(partyIds: Iterable<string>): Promise<ReadonlySet<string>> {
    const unique = [...new Set(partyIds)];
    const revisions = await Promise.all(unique.map((id) => this.store.streamRevision(partyStream(id))));
    return new Set(unique.filter((_, i) => revisions[i] !== undefined));
  }
}
