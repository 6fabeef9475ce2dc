import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IncidentMergedIntoData, IncidentState, incidentDecider, incidentStream } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { Inject } from '@nestjs/common';
import { KeyedMutex } from '../../application/keyed-mutex';
import { StreamCommandExecutor, StreamCommandResult } from '../../application/stream-command.executor';
import { commitPointOf, secondStepContext } from '../shared/two-stream-process';
import { MergeIncidentCommand, MergeIncidentResult } from './merge-incident.command';

/**
 * A merge is a process over two streams, EventStoreDB having no transaction
 * across streams:
 *
 * 1. the absorbed stream takes IncidentMergedInto, appended with the revision
 *    its decision read (the commit point: a claim stored concurrently makes
 *    the append fail and the merge is decided again with it; a claim after it
 *    is refused with a pointer to the survivor; only one merge of an incident
 *    can land);
 * 2. the survivor's stream takes IncidentsMerged (once per absorbed incident).
 *
 * A crash between the two leaves the absorbed incident merged and counted in
 * the survivor already (the read models follow step 1); sending the merge
 * again, with or without its Idempotency-Key, finds step 1 done and completes
 * step 2.
 */
@CommandHandler(MergeIncidentCommand)
export class MergeIncidentHandler implements ICommandHandler<MergeIncidentCommand, MergeIncidentResult> {
  // Merges in one process one at a time: two crossing merges (A into B, B into A) cannot both pass the survivor check.
  private readonly merges = new KeyedMutex();

  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute(command: MergeIncidentCommand): Promise<MergeIncidentResult> {
    return this.merges.run('merges', () => this.merge(command));
  }

  private async merge({ absorbedId, survivorId, mergeId, reason, ctx }: MergeIncidentCommand): Promise<MergeIncidentResult> {
    const survivor = absorbedId === survivorId ? undefined : await this.executor.stateOf<IncidentState, never>(incidentStream(survivorId), incidentDecider);
    const survivorState = survivor?.state;
    const data: IncidentMergedIntoData = { incidentId: absorbedId, survivorId, mergeId, reason };
    const facts = {
      reported: absorbedId === survivorId || survivorState?.incident?.incidentId === survivorId,
      ...(survivorState?.mergedInto !== undefined ? { mergedInto: survivorState.mergedInto } : {}),
    };
    const absorbed = await this.executor.execute(incidentStream(absorbedId), incidentDecider, { type: 'MergeInto', data, survivor: facts }, ctx);
    const committed = await commitPointOf(this.store, absorbed, 'IncidentMergedInto', (d) => d.survivorId === survivorId);
    const recorded: StreamCommandResult = await this.executor.execute(
      incidentStream(survivorId),
      incidentDecider,
      { type: 'RecordMerge', data: { incidentId: survivorId, absorbedId, mergeId: committed.data.mergeId, absorbedRevision: committed.revision.toString(), reason } },
      secondStepContext(ctx, 'survivor'),
    );
    return { survivor: { ...recorded, replayed: recorded.replayed && absorbed.replayed }, absorbedRevision: committed.revision, mergeId: committed.data.mergeId };
  }
}
