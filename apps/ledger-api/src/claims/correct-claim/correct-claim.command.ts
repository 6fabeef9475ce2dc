import { Command } from '@nestjs/cqrs';
import { CorrectClaim } from '@ledger/domain';
import { CommandContext } from '../../ledger/command-context';
import { StreamCommandResult } from '../../ledger/stream-command.executor';

export class CorrectClaimCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: CorrectClaim['data'],
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
