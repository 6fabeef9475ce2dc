import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { partyIdsIn } from '../../ledger/incident-command';
import { PartyDirectory } from '../../ledger/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../ledger/stream-command.executor';
import { CorrectClaimCommand } from './correct-claim.command';

@CommandHandler(CorrectClaimCommand)
export class CorrectClaimHandler implements ICommandHandler<CorrectClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  async execute({ data, ctx }: CorrectClaimCommand): Promise<StreamCommandResult> {
    const knownParties = await this.parties.registered(partyIdsIn(data.partyId, data.assertions));
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'CorrectClaim', data, knownParties }, ctx);
  }
}
