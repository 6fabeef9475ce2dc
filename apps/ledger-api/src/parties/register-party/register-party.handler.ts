import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { partyDecider, partyStream } from '@ledger/domain';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { RegisterPartyCommand } from './register-party.command';

@CommandHandler(RegisterPartyCommand)
export class RegisterPartyHandler implements ICommandHandler<RegisterPartyCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: RegisterPartyCommand): Promise<StreamCommandResult> {
    return this.executor.execute(partyStream(data.partyId), partyDecider, await this.parties.withKnownParties({ type: 'RegisterParty', data }), ctx);
  }
}
