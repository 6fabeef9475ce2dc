import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { incidentDecider, incidentStream } from '@ledger/domain';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { ReportIncidentCommand } from './report-incident.command';

@CommandHandler(ReportIncidentCommand)
export class ReportIncidentHandler implements ICommandHandler<ReportIncidentCommand, StreamCommandResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
  ) {}

  // The toll's casualty groups may name a party's side: it must be registered, as in a claim.
  async execute({ data, ctx }: ReportIncidentCommand): Promise<StreamCommandResult> {
    return this.executor.execute(incidentStream(data.incidentId), incidentDecider, await this.parties.withKnownParties({ type: 'ReportIncident', data }), ctx);
  }
}
