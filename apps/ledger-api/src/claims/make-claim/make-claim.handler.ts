import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { MakeClaimCommand } from './make-claim.command';

@CommandHandler(MakeClaimCommand)
export class MakeClaimHandler implements ICommandHandler<MakeClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: MakeClaimCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, await this.parties.withKnownParties({ type: 'MakeClaim', data }), ctx);
  }
}
