import type { ExpectedRevision } from './event-store.port';

/**
 * The rules both adapters share, written once: what an expected revision accepts, when a repeated append is a retry,
 * and how a subscription that stopped reports it.
 */

/** The port's expected-revision rule. */
export function revisionMatches(expected: ExpectedRevision, current: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
}

/**
 * EventStoreDB's idempotency rule, which the embedded store follows: a batch whose every event is already stored, as
 * one consecutive run in the same order, is a retry. It succeeds without writing when the expected revision is
 * 'any'/'stream_exists' or the one the original append was made against; anything else touching stored ids cannot be
 * told apart from a conflicting write. Returns undefined when the batch is not such a retry.
 */
export function idempotentReplayResult(
  stored: Array<{ revision: bigint; position: bigint } | undefined>,
  expected: ExpectedRevision,
): { nextExpectedRevision: bigint; position: bigint } | undefined {
  if (stored.length === 0 || stored.some((hit) => hit === undefined)) return undefined;
  const run = stored as Array<{ revision: bigint; position: bigint }>;
  const first = run[0].revision;
  if (!run.every((hit, index) => hit.revision === first + BigInt(index))) return undefined;
  const revisionBefore = first === 0n ? undefined : first - 1n;
  const compatible = expected === 'any' || expected === 'stream_exists' || revisionMatches(expected, revisionBefore);
  if (!compatible) return undefined;
  const last = run[run.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position };
}

/**
 * A subscription stopped for good: its onError hears why, inside the subscription's own callback scope (so that
 * stop() from within it does not wait for itself). Without a handler, or when the handler throws, a process warning
 * says so: a dead subscription must not go unnoticed.
 */
export async function reportSubscriptionStopped(
  error: unknown,
  onError: ((error: unknown) => unknown) | undefined,
  inCallbackScope: (callback: () => unknown) => Promise<unknown> | unknown,
): Promise<void> {
  if (!onError) {
    process.emitWarning(error instanceof Error ? error : String(error), 'SubscriptionStopped');
    return;
  }
  try {
    await inCallbackScope(() => onError(error));
  } catch (secondary) {
    process.emitWarning(secondary instanceof Error ? secondary : String(secondary), 'SubscriptionOnErrorFailed');
  }
}
