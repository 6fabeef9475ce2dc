import { Command } from '@nestjs/cqrs';
import { DenyClaim } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class DenyClaimCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: DenyClaim['data'],
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
