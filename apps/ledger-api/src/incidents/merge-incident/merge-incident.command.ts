import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export interface MergeIncidentResult {
  /** The survivor's stream after the merge (its IncidentsMerged). */
  survivor: StreamCommandResult;
  /** The absorbed stream's IncidentMergedInto: the merge's commit point. */
  absorbedRevision: bigint;
  mergeId: string;
}

/** Merge `absorbedId` into `survivorId`: two incidents found to be the same event. */
export class MergeIncidentCommand extends Command<MergeIncidentResult> {
  constructor(
    readonly absorbedId: string,
    readonly survivorId: string,
    readonly mergeId: string,
    readonly reason: string,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
