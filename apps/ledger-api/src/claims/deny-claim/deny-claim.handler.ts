import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { DenyClaimCommand } from './deny-claim.command';

@CommandHandler(DenyClaimCommand)
export class DenyClaimHandler implements ICommandHandler<DenyClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: DenyClaimCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, await this.parties.withKnownParties({ type: 'DenyClaim', data }), ctx);
  }
}
