import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { ClaimStreams } from '../../application/claim-streams';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { RetractClaimCommand } from './retract-claim.command';

@CommandHandler(RetractClaimCommand)
export class RetractClaimHandler implements ICommandHandler<RetractClaimCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly claims: ClaimStreams,
  ) {}

  execute({ data, ctx }: RetractClaimCommand): Promise<StreamCommandResult> {
    return this.claims.onRecordingStream(data.incidentId, data.claimId, (incidentId) =>
      this.executor.execute(incidentStream(incidentId), incidentDecider, { type: 'RetractClaim', data: { ...data, incidentId } }, ctx),
    );
  }
}
