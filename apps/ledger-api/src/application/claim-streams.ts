import { Injectable } from '@nestjs/common';
import { DomainError, IncidentState, incidentDecider, incidentStream } from '@ledger/domain';
import { StreamCommandExecutor } from './stream-command.executor';

/** Merges chain; a cycle stops at the first revisit anyway. */
const MAX_LINKED = 64;

/**
 * A claim is decided by the stream that recorded it, whatever incident it
 * counts in after a merge or split. A command sent to the incident it counts
 * in (the survivor, the new incident of a split) is refused there with
 * claim-not-found: only then (the rare path) are the incidents it absorbed or
 * was split from read, and the command is run on the one that recorded the
 * claim.
 */
@Injectable()
export class ClaimStreams {
  constructor(private readonly executor: StreamCommandExecutor) {}

  async onRecordingStream<T>(incidentId: string, claimId: string, run: (recordedIn: string) => Promise<T>): Promise<T> {
    try {
      return await run(incidentId);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'claim-not-found') throw error;
      const recordedIn = await this.recordedIn(incidentId, claimId);
      if (recordedIn === undefined) throw error;
      return run(recordedIn);
    }
  }

  /** Among the incidents whose entries count in `incidentId` (absorbed, split from, and theirs), the one whose stream holds the claim. */
  private async recordedIn(incidentId: string, claimId: string): Promise<string | undefined> {
    const seen = new Set([incidentId]);
    const queue = this.linked(await this.stateOf(incidentId));
    while (queue.length > 0 && seen.size < MAX_LINKED) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const state = await this.stateOf(id);
      if (state?.claims.has(claimId)) return id;
      queue.push(...this.linked(state));
    }
    return undefined;
  }

  private async stateOf(incidentId: string): Promise<IncidentState | undefined> {
    return (await this.executor.stateOf<IncidentState, never>(incidentStream(incidentId), incidentDecider))?.state;
  }

  private linked(state: IncidentState | undefined): string[] {
    return state ? [...state.absorbed.keys(), ...(state.splitFrom ? [state.splitFrom.sourceId] : [])] : [];
  }
}
