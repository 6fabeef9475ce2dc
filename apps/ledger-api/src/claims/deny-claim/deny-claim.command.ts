import { Command } from '@nestjs/cqrs';
import { DenyClaim } from '@ledger/domain';
import { CommandContext } from '../../ledger/command-context';
import { StreamCommandResult } from '../../ledger/stream-command.executor';

export class DenyClaimCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: DenyClaim['data'],
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
