import { Command } from '@nestjs/cqrs';
import { PartyRegisteredData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class RegisterPartyCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: PartyRegisteredData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
