import { Command } from '@nestjs/cqrs';
import { IncidentReportedData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export class ReportIncidentCommand extends Command<StreamCommandResult> {
  constructor(
    readonly data: IncidentReportedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
