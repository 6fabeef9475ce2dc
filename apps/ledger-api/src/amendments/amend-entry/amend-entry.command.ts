import { Command } from '@nestjs/cqrs';
import { EntryAmendedData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class AmendEntryCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: EntryAmendedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
