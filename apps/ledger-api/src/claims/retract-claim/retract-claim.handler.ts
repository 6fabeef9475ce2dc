import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { RetractClaimCommand } from './retract-claim.command';

@CommandHandler(RetractClaimCommand)
export class RetractClaimHandler implements ICommandHandler<RetractClaimCommand, StreamCommandResult> {
  constructor(private readonly executor: StreamCommandExecutor) {}

  execute({ data, ctx }: RetractClaimCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'RetractClaim', data }, ctx);
  }
}
