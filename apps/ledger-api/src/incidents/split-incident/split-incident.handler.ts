import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IncidentState, RecordSplit, incidentDecider, incidentStream } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { commitPointOf, secondStepContext } from '../shared/two-stream-process';
import { SplitIncidentCommand, SplitIncidentResult } from './split-incident.command';

/**
 * A split is the same two-stream process as a merge: the source stream's
 * IncidentSplit is the commit point (appended with the revision its decision
 * read; a claim moves out once), then the new incident's stream takes its
 * report and IncidentSplitFrom (expected: no stream, or exactly this split).
 * The new incident's report is checked before the commit point, so a report
 * the rules refuse leaves nothing half done. Sent again with its
 * Idempotency-Key (same split id, same new incident id), it completes a split
 * a crash interrupted.
 */
@CommandHandler(SplitIncidentCommand)
export class SplitIncidentHandler implements ICommandHandler<SplitIncidentCommand, SplitIncidentResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(request: SplitIncidentCommand): Promise<SplitIncidentResult> {
    const ctx = request.ctx;
    const { data, report } = await this.completing(request);
    const { knownParties } = await this.parties.withKnownParties({ type: 'ReportIncident', data: report });
    const newIncident = (sourceRevision: bigint): RecordSplit => ({
      type: 'RecordSplit',
      report,
      data: { incidentId: data.newIncidentId, sourceId: data.incidentId, splitId: data.splitId, claimIds: data.claimIds, sourceRevision: sourceRevision.toString(), reason: data.reason },
      knownParties,
    });
    // The report's rules, on a new stream, before anything is written.
    incidentDecider.decide(newIncident(0n), incidentDecider.initialState());
    const source = await this.executor.execute(incidentStream(data.incidentId), incidentDecider, { type: 'SplitIncident', data }, ctx);
    const committed = await commitPointOf(this.store, source, 'IncidentSplit', (d) => d.splitId === data.splitId);
    const command = newIncident(committed.revision);
    const made = await this.executor.execute(
      incidentStream(data.newIncidentId),
      incidentDecider,
      { ...command, data: { ...command.data, claimIds: committed.data.claimIds } },
      secondStepContext(ctx, 'new-incident'),
    );
    return { created: { ...made, replayed: made.replayed && source.replayed }, sourceRevision: committed.revision, newIncidentId: data.newIncidentId, splitId: data.splitId };
  }

  /**
   * A split sent without an Idempotency-Key gets new ids each time, so its
   * retry after a crash between the two appends would find its claims moved
   * already: when exactly these claims were moved by one split whose new
   * incident was never reported, the request completes that split instead.
   */
  private async completing({ data, report }: SplitIncidentCommand): Promise<Pick<SplitIncidentCommand, 'data' | 'report'>> {
    const source = (await this.executor.stateOf<IncidentState, never>(incidentStream(data.incidentId), incidentDecider))?.state;
    const targets = new Set(data.claimIds.map((claimId) => source?.movedOut.get(claimId)));
    const [target] = targets;
    if (!source || targets.size !== 1 || target === undefined || target === data.newIncidentId) return { data, report };
    const splitId = [...source.splits.entries()].find(([, newIncidentId]) => newIncidentId === target)?.[0];
    const moved = [...source.movedOut.values()].filter((newIncidentId) => newIncidentId === target).length;
    if (splitId === undefined || moved !== new Set(data.claimIds).size) return { data, report };
    if (await this.executor.stateOf(incidentStream(target), incidentDecider)) return { data, report };
    return { data: { ...data, newIncidentId: target, splitId }, report: { ...report, incidentId: target } };
  }
}
