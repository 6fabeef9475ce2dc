import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream, partiesReferencedBy } from '@ledger/domain';
import { PartyDirectory } from '../../ledger/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../ledger/stream-command.executor';
import { AmendEntryCommand } from './amend-entry.command';

@CommandHandler(AmendEntryCommand)
export class AmendEntryHandler implements ICommandHandler<AmendEntryCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: AmendEntryCommand): Promise<StreamCommandResult> {
    const named = data.changes.assertions ? partiesReferencedBy(data.changes.assertions).map((r) => r.partyId) : [];
    const knownParties = await this.parties.registered(named);
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'AmendEntry', data, knownParties }, ctx);
  }
}
