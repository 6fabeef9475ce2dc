import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { AmendEntryCommand } from './amend-entry.command';

@CommandHandler(AmendEntryCommand)
export class AmendEntryHandler implements ICommandHandler<AmendEntryCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: AmendEntryCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, await this.parties.withKnownParties({ type: 'AmendEntry', data }), ctx);
  }
}
