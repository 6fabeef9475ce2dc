import { Command } from '@nestjs/cqrs';
import { CorrectClaim } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

/** The command's result and the version number the correction created. */
export interface CorrectClaimResult extends StreamCommandResult {
  version: number;
}

export class CorrectClaimCommand extends Command<CorrectClaimResult> {
  constructor(
    readonly data: CorrectClaim['data'],
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
