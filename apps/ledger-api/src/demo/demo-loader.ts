import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE, EventStore, START } from '@ledger/event-store';
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
): Promise<Record<string, string> | undefined> => {
  const store = app.get<EventStore>(EVENT_STORE);
  if ((await store.headPosition()) !== START) return undefined;
  return runScenario(
    scenario,
    async ({ method, url, body, headers }) => {
      const res = await app.inject({ method, url, payload: body as object, headers });
      return { status: res.statusCode, body: res.json() };
    },
    { authorization: `Bearer ${bearerToken}` },
  );
};
