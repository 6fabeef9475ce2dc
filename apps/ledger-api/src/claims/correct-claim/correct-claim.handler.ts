import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimCorrected, incidentDecider, incidentStream } from '@ledger/domain';
import { ClaimStreams } from '../../application/claim-streams';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { CorrectClaimCommand, CorrectClaimResult } from './correct-claim.command';

@CommandHandler(CorrectClaimCommand)
export class CorrectClaimHandler implements ICommandHandler<CorrectClaimCommand, CorrectClaimResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
    private readonly claims: ClaimStreams,
  ) {}

  async execute({ data, ctx }: CorrectClaimCommand): Promise<CorrectClaimResult> {
    const command = await this.parties.withKnownParties({ type: 'CorrectClaim', data });
    const result = await this.claims.onRecordingStream(data.incidentId, data.claimId, (incidentId) =>
      this.executor.execute(incidentStream(incidentId), incidentDecider, { ...command, data: { ...data, incidentId } }, ctx),
    );
    const corrected = result.events.find((e): e is ClaimCorrected => e.type === 'ClaimCorrected');
    // The decider answers CorrectClaim with exactly one ClaimCorrected or refuses; anything else is a bug, not a reply.
    if (!corrected) throw new Error(`CorrectClaim of claim ${data.claimId} recorded no ClaimCorrected event`);
    return { ...result, version: corrected.data.version };
  }
}
