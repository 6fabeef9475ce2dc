import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { backoffDelay, EVENT_STORE, EventStore, START } from '@ledger/event-store';
import { STORE_WAIT_BACKOFF } from '../application/store-at-start';
import { DEMO_SCENARIO, runScenario, Scenario } from './scenario';

export const DEMO_PRINCIPAL = 'demo-loader';

/**
 * Loads the seed-article scenario into an empty ledger through the HTTP
 * API itself (in-process inject), with a token that exists only in this
 * process's memory.
 */
export const loadDemoIfEmpty = async (
  app: NestFastifyApplication,
  bearerToken: string,
  scenario: Scenario = DEMO_SCENARIO,
  retry: DemoRetry = {},
): Promise<Record<string, string> | undefined> => {
  const store = app.get<EventStore>(EVENT_STORE);
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const giveUpAt = Date.now() + (retry.timeoutMs ?? DEMO_RETRY_TIMEOUT_MS);
  if ((await store.headPosition()) !== START) return undefined;
  return runScenario(
    scenario,
    async ({ method, url, body, headers }) => {
      // A 503 (the store unavailable: an EventStoreDB node still electing itself, or restarting) is retried with the
      // same Idempotency-Key, so a step that was written before its answer was lost is not written twice.
      for (let attempt = 0; ; attempt++) {
        const delayMs = backoffDelay(attempt, STORE_WAIT_BACKOFF);
        const res = await app.inject({ method, url, payload: body as object, headers });
        if (res.statusCode !== 503 || Date.now() + delayMs > giveUpAt) return { status: res.statusCode, body: res.json() };
        retry.onRetry?.(url, res.statusCode);
        await sleep(delayMs);
      }
    },
    { authorization: `Bearer ${bearerToken}` },
  );
};

const DEMO_RETRY_TIMEOUT_MS = 120_000;

export interface DemoRetry {
  /** How long a step may keep answering 503 before the load fails (default 2 min). */
  timeoutMs?: number;
  onRetry?: (url: string, status: number) => void;
  sleep?: (ms: number) => Promise<void>;
}
