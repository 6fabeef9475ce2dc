import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { EsdbEventStore, EventStore } from '@ledger/event-store';
import { AppModule } from '../../apps/ledger-api/src/app.module';
import { createLedgerApp } from '../../apps/ledger-api/src/create-ledger-app';
import { Clock } from '../../apps/ledger-api/src/application/clock';
import { generateToken, hashToken, loadLedgerConfig, Role, TokenEntry, TokenRegistry } from '../../apps/ledger-api/src/platform';

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
  const app = await createLedgerApp({ config, tokens: registry, clock, eventStore: options.eventStore?.(), requestLogStream: options.requestLogStream });
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
