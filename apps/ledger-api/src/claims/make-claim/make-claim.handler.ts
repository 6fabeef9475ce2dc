import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { partyIdsIn } from '../../ledger/incident-command';
import { PartyDirectory } from '../../ledger/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../ledger/stream-command.executor';
import { MakeClaimCommand } from './make-claim.command';

@CommandHandler(MakeClaimCommand)
export class MakeClaimHandler implements ICommandHandler<MakeClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: MakeClaimCommand): Promise<StreamCommandResult> {
    const knownParties = await this.parties.registered(partyIdsIn(data.partyId, data.assertions));
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'MakeClaim', data, knownParties }, ctx);
  }
}
