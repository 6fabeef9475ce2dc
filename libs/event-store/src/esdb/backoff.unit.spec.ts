import { backoffDelay, backoffPolicy, DEFAULT_BACKOFF } from './backoff';

describe('reconnect backoff', () => {
  it('doubles from 100 ms up to a 5 s cap and retries forever by default', () => {
    const policy = backoffPolicy({ jitter: 0 });
    const schedule = Array.from({ length: 9 }, (_, attempt) => backoffDelay(attempt, policy));

    expect(schedule).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(DEFAULT_BACKOFF.maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });

  it('draws the jitter fraction at random below the exponential delay', () => {
    const policy = backoffPolicy({ initialDelayMs: 1000, jitter: 0.2 });

    expect(backoffDelay(0, policy, () => 0)).toBe(1000);
    expect(backoffDelay(0, policy, () => 1)).toBe(800);
    expect(backoffDelay(1, policy, () => 0.5)).toBe(1800);
  });

  it('follows a configured schedule', () => {
    const policy = backoffPolicy({ initialDelayMs: 10, multiplier: 3, maxDelayMs: 200, jitter: 0 });
    expect(Array.from({ length: 5 }, (_, attempt) => backoffDelay(attempt, policy))).toEqual([10, 30, 90, 200, 200]);
  });

  it.each([
    [{ initialDelayMs: -1 }],
    [{ maxDelayMs: 50, initialDelayMs: 100 }],
    [{ multiplier: 0.5 }],
    [{ jitter: 2 }],
    [{ maxAttempts: 0 }],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }],
  ])('refuses %p', (overrides) => {
    expect(() => backoffPolicy(overrides)).toThrow(RangeError);
  });
});
