import { Logger, OnModuleInit } from '@nestjs/common';
import { backoffDelay, backoffPolicy, EventStore, StoreRefusedError } from '@ledger/event-store';

/** 250 ms, doubling, at most 5 s; no jitter: one process waiting for its own store. */
export const STORE_WAIT_BACKOFF = backoffPolicy({ initialDelayMs: 250, maxDelayMs: 5_000, multiplier: 2, jitter: 0 });

/** Thrown at start when the event store refuses the ledger for good: restarting cannot help, the configuration must change. */
export class StoreRefusedAtStartError extends Error {
  constructor(readonly refusal: StoreRefusedError) {
    super(`The event store refused the ledger: ${refusal.message}`);
    this.name = 'StoreRefusedAtStartError';
  }
}

/**
 * Waits, at start, until the event store answers a read of the global log, so that a ledger started beside an
 * EventStoreDB node that is still electing itself leader (docker compose starts both at once; /health/live turns
 * green before the node takes writes) does not fail its first reads. A refusal ends the start at once, with what to
 * change: retrying bad credentials or a user who may not read $all would only hide the mistake.
 */
export async function waitForStore(
  store: Pick<EventStore, 'ping'>,
  options: { timeoutMs: number; log?: (message: string) => void; sleep?: (ms: number) => Promise<void>; now?: () => number },
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let announced = false;
  for (let attempt = 0; ; attempt++) {
    const delayMs = backoffDelay(attempt, STORE_WAIT_BACKOFF);
    try {
      await store.ping();
      if (announced) options.log?.('Event store answers: starting');
      return;
    } catch (error) {
      if (error instanceof StoreRefusedError) throw new StoreRefusedAtStartError(error);
      if (now() + delayMs > deadline) throw error;
      if (!announced) {
        options.log?.(`Event store does not answer yet (${error instanceof Error ? error.message : String(error)}); waiting up to ${options.timeoutMs} ms`);
        announced = true;
      }
      await sleep(delayMs);
    }
  }
}

/** Runs waitForStore before any other module reads the store (the application module is initialised first). */
export class StoreAtStart implements OnModuleInit {
  constructor(
    private readonly store: EventStore,
    private readonly timeoutMs: number,
  ) {}

  async onModuleInit(): Promise<void> {
    const logger = new Logger('EventStore');
    await waitForStore(this.store, { timeoutMs: this.timeoutMs, log: (m) => logger.warn(m) });
  }
}
