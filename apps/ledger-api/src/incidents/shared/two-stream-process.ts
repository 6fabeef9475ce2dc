import { IncidentMergedIntoData, IncidentSplitData, LedgerEvent, fromStored } from '@ledger/domain';
import { EventStore, streamEvents } from '@ledger/event-store';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

interface CommitData {
  IncidentMergedInto: IncidentMergedIntoData;
  IncidentSplit: IncidentSplitData;
}

/** Events read at a time, from the newest back: the commit point is near the end, and a big incident is not read whole. */
export const COMMIT_POINT_PAGE = 64;

const dataOf = <T extends keyof CommitData>(event: LedgerEvent, type: T): CommitData[T] | undefined =>
  event.type === type ? (event.data as CommitData[T]) : undefined;

/**
 * The event that committed a merge or split on its first stream, with its
 * revision: the one just appended, or, when the command found it done
 * already (a retry completing a process a crash interrupted), the stored one,
 * read back (the rare path).
 */
export const commitPointOf = async <T extends keyof CommitData>(
  store: EventStore,
  result: StreamCommandResult,
  type: T,
  matches: (data: CommitData[T]) => boolean,
): Promise<{ data: CommitData[T]; revision: bigint }> => {
  for (let i = result.events.length - 1; i >= 0; i--) {
    const data = dataOf(result.events[i], type);
    if (data && matches(data)) return { data, revision: result.revision - BigInt(result.events.length - 1 - i) };
  }
  for await (const recorded of streamEvents(store, result.streamName, { direction: 'backwards', pageSize: COMMIT_POINT_PAGE })) {
    const data = dataOf(fromStored(recorded.type, recorded.data), type);
    if (data && matches(data)) return { data, revision: recorded.revision };
  }
  throw new Error(`${result.streamName} holds no ${type} to complete`);
};

/**
 * The context of a process's second append: no If-Match (it guarded the
 * commit point), and its own key derived from the request's, scoped to its
 * stream (deterministic event ids, no second reservation of the key).
 */
export const secondStepContext = (ctx: CommandContext, step: string): CommandContext => {
  const { expectedRevision: _guardedTheFirstStep, ...rest } = ctx;
  return ctx.idempotencyKey === undefined
    ? { ...rest, idempotencyKey: undefined }
    : { ...rest, idempotencyKey: `${ctx.idempotencyKey}#${step}`, idempotencyScope: 'stream', requestHash: ctx.requestHash };
};
