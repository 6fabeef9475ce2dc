import { Command } from '@nestjs/cqrs';
import { IncidentReportedData, IncidentSplitData } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

export interface SplitIncidentResult {
  /** The new incident's stream after its report and IncidentSplitFrom. */
  created: StreamCommandResult;
  /** The source stream's IncidentSplit: the split's commit point. */
  sourceRevision: bigint;
  /** The new incident and the split: those asked for, or those of the unfinished split this request completed. */
  newIncidentId: string;
  splitId: string;
}

/** Move chosen claims of an incident into a new incident, reported with `report`. */
export class SplitIncidentCommand extends Command<SplitIncidentResult> {
  constructor(
    readonly data: IncidentSplitData,
    readonly report: IncidentReportedData,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
