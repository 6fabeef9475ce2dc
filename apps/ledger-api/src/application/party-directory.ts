import { Inject, Injectable } from '@nestjs/common';
import { CommandNamingParties, partiesNamedIn, partyStream } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';

/** Beyond this many known parties, further ones are looked up every time instead of remembered. */
const MAX_REMEMBERED = 100_000;

/**
 * Answers "which of these party ids are registered?" from the party streams
 * themselves, not from a read model, so a command never fails because a
 * projection is behind. A registration is never undone, so a party once seen
 * registered is remembered and its stream not read again; an unknown one is
 * looked up each time (it may be registered since, by any process).
 */
@Injectable()
export class PartyDirectory {
  private readonly known = new Set<string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async registered(partyIds: Iterable<string>): Promise<ReadonlySet<string>> {
    const unique = new Set(partyIds);
    const unknown = [...unique].filter((id) => !this.known.has(id));
    const revisions = await Promise.all(unknown.map((id) => this.store.streamRevision(partyStream(id))));
    const found = new Set(unknown.filter((_, i) => revisions[i] !== undefined));
    for (const id of found) if (this.known.size < MAX_REMEMBERED) this.known.add(id);
    return new Set([...unique].filter((id) => this.known.has(id) || found.has(id)));
  }

  /** The command with `knownParties`: which of the parties it names (by the domain's own reckoning) are registered. */
  async withKnownParties<C extends CommandNamingParties>(command: C): Promise<C & { knownParties: ReadonlySet<string> }> {
    return { ...command, knownParties: await this.registered(partiesNamedIn(command)) };
  }
}
