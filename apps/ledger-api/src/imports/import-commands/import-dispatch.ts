import type { ICommand, ICommandHandler } from '@nestjs/cqrs';
import { AmendEntryCommand } from '../../amendments/amend-entry/amend-entry.command';
import { AmendEntryHandler } from '../../amendments/amend-entry/amend-entry.handler';
import { CorrectClaimCommand } from '../../claims/correct-claim/correct-claim.command';
import { CorrectClaimHandler } from '../../claims/correct-claim/correct-claim.handler';
import { DenyClaimCommand } from '../../claims/deny-claim/deny-claim.command';
import { DenyClaimHandler } from '../../claims/deny-claim/deny-claim.handler';
import { GradeSourceCommand } from '../../claims/grade-source/grade-source.command';
import { GradeSourceHandler } from '../../claims/grade-source/grade-source.handler';
import { Clock, SystemClock } from '../../application/clock';
import { MakeClaimCommand } from '../../claims/make-claim/make-claim.command';
import { MakeClaimHandler } from '../../claims/make-claim/make-claim.handler';
import { RetractClaimCommand } from '../../claims/retract-claim/retract-claim.command';
import { RetractClaimHandler } from '../../claims/retract-claim/retract-claim.handler';
import { ReportIncidentCommand } from '../../incidents/report-incident/report-incident.command';
import { ReportIncidentHandler } from '../../incidents/report-incident/report-incident.handler';
import { ClaimStreams } from '../../application/claim-streams';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandBatcher } from '../../application/stream-command.batcher';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { RegisterPartyCommand } from '../../parties/register-party/register-party.command';
import { RegisterPartyHandler } from '../../parties/register-party/register-party.handler';
import { DispatchCommand } from './import-run';

/**
 * The API's own command handlers, built by hand over one executor (or a
 * StreamCommandBatcher, which stands in for it: handlers only call execute()),
 * so that import lines are stored in batches, in the API as in the CLI.
 */
export const dispatchToHandlers = (over: StreamCommandExecutor | StreamCommandBatcher, parties: PartyDirectory, clock: Clock = new SystemClock()): DispatchCommand => {
  const executor = over as StreamCommandExecutor;
  const claims = new ClaimStreams(executor);
  const handlers = new Map<Function, ICommandHandler<ICommand, StreamCommandResult>>([
    [RegisterPartyCommand, new RegisterPartyHandler(executor, parties)],
    [ReportIncidentCommand, new ReportIncidentHandler(executor, parties)],
    [MakeClaimCommand, new MakeClaimHandler(executor, parties)],
    [DenyClaimCommand, new DenyClaimHandler(executor, parties, claims)],
    [CorrectClaimCommand, new CorrectClaimHandler(executor, parties, claims)],
    [RetractClaimCommand, new RetractClaimHandler(executor, claims)],
    [GradeSourceCommand, new GradeSourceHandler(executor, clock)],
    [AmendEntryCommand, new AmendEntryHandler(executor, parties)],
  ] as Array<[Function, ICommandHandler<ICommand, StreamCommandResult>]>);
  return (command) => {
    const handler = handlers.get(command.constructor);
    if (!handler) throw new Error('An import line mapped to a command without a handler');
    return handler.execute(command);
  };
};
