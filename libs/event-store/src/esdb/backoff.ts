/**
 * Reconnect schedule of the EventStoreDB subscription: exponential, capped, with optional jitter so that many ledger
 * processes losing the same node do not all come back in the same millisecond.
 */
export interface BackoffPolicy {
  /** Delay before the first retry. Default 100 ms. */
  initialDelayMs: number;
  /** Upper bound of any delay. Default 5000 ms. */
  maxDelayMs: number;
  /** Growth per consecutive failure. Default 2. */
  multiplier: number;
  /** Fraction of the delay drawn at random, 0..1: 0.2 gives delays in [0.8·d, d]. Default 0.2. */
  jitter: number;
  /**
   * Consecutive failed attempts after which the subscription gives up and reports through onError.
   * Default Infinity: a transient connection loss is retried until the node comes back.
   */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
});

export function backoffPolicy(overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy = { ...DEFAULT_BACKOFF, ...stripUndefined(overrides) };
  if (!(policy.initialDelayMs >= 0) || !Number.isFinite(policy.initialDelayMs)) throw new RangeError('reconnect.initialDelayMs must be a finite number >= 0');
  if (!(policy.maxDelayMs >= policy.initialDelayMs) || !Number.isFinite(policy.maxDelayMs)) throw new RangeError('reconnect.maxDelayMs must be finite and >= initialDelayMs');
  if (!(policy.multiplier >= 1)) throw new RangeError('reconnect.multiplier must be >= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new RangeError('reconnect.jitter must be within 0..1');
  if (!(policy.maxAttempts >= 1)) throw new RangeError('reconnect.maxAttempts must be >= 1');
  return policy;
}

/**
 * Delay before retry number `attempt` (0 = first retry after a failure): min(max, initial · multiplier^attempt),
 * of which the last `jitter` fraction is random.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, attempt));
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped * (1 - policy.jitter * random()));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
