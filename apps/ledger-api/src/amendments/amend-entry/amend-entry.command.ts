import { Command } from '@nestjs/cqrs';
import { EntryAmendedData } from '@ledger/domain';
import { CommandContext } from '../../ledger/command-context';
import { StreamCommandResult } from '../../ledger/stream-command.executor';

export class AmendEntryCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: EntryAmendedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
