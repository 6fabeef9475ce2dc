import { Command } from '@nestjs/cqrs';
import { IncidentReportedData } from '@ledger/domain';
import { CommandContext } from '../../ledger/command-context';
import { StreamCommandResult } from '../../ledger/stream-command.executor';

export class ReportIncidentCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: IncidentReportedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
