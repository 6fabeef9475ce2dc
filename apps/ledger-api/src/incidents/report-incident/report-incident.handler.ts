import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { ReportIncidentCommand } from './report-incident.command';

@CommandHandler(ReportIncidentCommand)
export class ReportIncidentHandler implements ICommandHandler<ReportIncidentCommand, StreamCommandResult> {
  constructor(private readonly executor: StreamCommandExecutor) {}

  execute({ data, ctx }: ReportIncidentCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'ReportIncident', data }, ctx);
  }
}
