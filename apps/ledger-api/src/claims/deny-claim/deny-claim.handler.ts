import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { PartyDirectory } from '../../ledger/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../ledger/stream-command.executor';
import { DenyClaimCommand } from './deny-claim.command';

@CommandHandler(DenyClaimCommand)
export class DenyClaimHandler implements ICommandHandler<DenyClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: DenyClaimCommand): Promise<StreamCommandResult> {
    const knownParties = await this.parties.registered([data.partyId]);
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'DenyClaim', data, knownParties }, ctx);
  }
}
