import { Command } from '@nestjs/cqrs';
import { ClaimMadeData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class MakeClaimCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: ClaimMadeData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
