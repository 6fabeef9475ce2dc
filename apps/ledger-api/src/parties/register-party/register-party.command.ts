import { Command } from '@nestjs/cqrs';
import { PartyRegisteredData } from '@ledger/domain';
import { CommandContext } from '../../ledger/command-context';
import { StreamCommandResult } from '../../ledger/stream-command.executor';

export class RegisterPartyCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: PartyRegisteredData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
