import { Command } from '@nestjs/cqrs';
import { ClaimRetractedData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class RetractClaimCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: ClaimRetractedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
