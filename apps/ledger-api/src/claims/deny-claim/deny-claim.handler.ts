import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { ClaimStreams } from '../../application/claim-streams';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { DenyClaimCommand } from './deny-claim.command';

@CommandHandler(DenyClaimCommand)
export class DenyClaimHandler implements ICommandHandler<DenyClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
    private readonly claims: ClaimStreams,
  ) {}

  async execute({ data, ctx }: DenyClaimCommand): Promise<StreamCommandResult> {
    const command = await this.parties.withKnownParties({ type: 'DenyClaim', data });
    return this.claims.onRecordingStream(data.incidentId, data.claimId, (incidentId) =>
      this.executor.execute(incidentStream(incidentId), incidentDecider, { ...command, data: { ...data, incidentId } }, ctx),
    );
  }
}
