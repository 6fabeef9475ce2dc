import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, Response as LightResponse } from 'light-my-request';
import type { DestinationStream } from 'pino';
import { EsdbEventStore, EventStore } from '@ledger/event-store';
import { AppModule } from '../../apps/ledger-api/src/app.module';
import { createLedgerApp } from '../../apps/ledger-api/src/create-ledger-app';
import { Clock } from '../../apps/ledger-api/src/application/clock';
import { generateToken, hashToken, loadLedgerConfig, Role, TokenEntry, TokenRegistry } from '../../apps/ledger-api/src/platform';
import { CheckedResponse, OpenApiResponseValidator } from './openapi-responses';

export type TestRole = Role;

/** A clock the test moves by hand, so recorded-at times are known. */
export class ManualClock extends Clock {
  constructor(private current = new Date('2026-11-28T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface LedgerTestApp {
  app: NestFastifyApplication;
  dataDir: string;
  tokens: Record<TestRole, string>;
  clock: ManualClock;
  /** Restart on the same data directory (same tokens), as after a crash or a deploy. */
  restart(): Promise<LedgerTestApp>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

const ROLES: TestRole[] = ['reader', 'recorder', 'auditor', 'integrator', 'admin'];

export const startLedger = async (
  options: {
    dataDir?: string;
    tokens?: Record<TestRole, string>;
    eventStore?: () => EventStore;
    module?: typeof AppModule;
    /** More environment for the config (LEDGER_CHECKPOINT_INTERVAL_MS, LEDGER_NOTARY_PRIVATE_KEY, ...). */
    env?: Record<string, string>;
    /** More accepted tokens beside one per role, e.g. a scoped integrator: `{ principal, roles, sha256: hashToken(token), scope }`. */
    extraTokens?: TokenEntry[];
    /** Where the JSON request log goes (LOG_LEVEL is then info, so that it has lines). */
    requestLogStream?: DestinationStream;
  } = {},
): Promise<LedgerTestApp> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  const tokens = options.tokens ?? (Object.fromEntries(ROLES.map((r) => [r, generateToken()])) as Record<TestRole, string>);
  const registry = new TokenRegistry([
    ...ROLES.map((role) => ({ principal: `test-${role}`, roles: [role], sha256: hashToken(tokens[role]) })),
    ...(options.extraTokens ?? []),
  ]);
  const config = loadLedgerConfig({ ...options.env, LEDGER_DATA_DIR: dataDir, LOG_LEVEL: options.requestLogStream ? 'info' : 'error' }, process.cwd());
  const clock = new ManualClock();
  const app = checkingResponsesAgainstOpenApi(
    await createLedgerApp({ config, tokens: registry, clock, eventStore: options.eventStore?.(), requestLogStream: options.requestLogStream }),
  );
  const handle: LedgerTestApp = {
    app,
    dataDir,
    tokens,
    clock,
    restart: async () => {
      await app.close();
      return startLedger({ ...options, dataDir, tokens });
    },
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
};

/** A ledger on the EventStoreDB adapter (in tests, over the in-repo wire double), reconnecting within a fraction of a second. */
export const startLedgerOnEsdb = (connectionString: string): Promise<LedgerTestApp> =>
  startLedger({ eventStore: () => new EsdbEventStore({ connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }) });

/** Every documented success response answered by a test app in this process, as `GET /incidents/{incidentId} 200`. */
export const answeredSuccessResponses = new Set<string>();

/**
 * The URL a request really addresses: inject, like any HTTP client, resolves dot segments first (`/parties/..` is `/`),
 * so an answer is held to the route of the resolved path, not of the path as written.
 */
const addressedUrl = (url: string): string => {
  try {
    const resolved = new URL(url, 'http://ledger.invalid');
    return resolved.pathname + resolved.search;
  } catch {
    return url;
  }
};

/**
 * Checks each success answer of `app.inject` against the OpenAPI document that app publishes, and fails the call
 * that got an answer off its schema (or one with no schema at all), naming the route and the violations.
 */
const checkingResponsesAgainstOpenApi = (app: NestFastifyApplication): NestFastifyApplication => {
  const inject = app.inject.bind(app) as (options?: InjectOptions | string) => Promise<LightResponse>;
  let validator: Promise<OpenApiResponseValidator> | undefined;
  const validatorOf = () =>
    (validator ??= inject({ method: 'GET', url: '/openapi.json' }).then((res) => new OpenApiResponseValidator(res.json())));
  const checked = async (options: InjectOptions | string): Promise<LightResponse> => {
    const res = await inject(options);
    const method = typeof options === 'string' ? 'GET' : (options.method ?? 'GET');
    const url = addressedUrl(typeof options === 'string' ? options : String(options.url ?? options.path ?? '/'));
    const outcome: CheckedResponse | undefined = (await validatorOf()).check(method, url, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
    if (outcome) {
      answeredSuccessResponses.add(`${outcome.method} ${outcome.path} ${outcome.status}`);
      if (outcome.errors.length > 0) {
        throw new Error(`${method} ${url} answered ${res.statusCode} off its OpenAPI schema (${outcome.method} ${outcome.path}):\n  ${outcome.errors.slice(0, 20).join('\n  ')}`);
      }
    }
    return res;
  };
  const checkedInject = (options?: InjectOptions | string) => (options === undefined ? inject() : checked(options));
  // The Nest application is itself a proxy that refuses new properties: wrap it rather than patch it.
  return new Proxy(app, {
    get: (target, property) => {
      if (property === 'inject') return checkedInject;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};
