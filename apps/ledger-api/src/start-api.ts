import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { EVENTS_FILE } from './application/application.module';
import { createLedgerApp } from './create-ledger-app';
import { DEMO_PRINCIPAL, loadDemoIfEmpty } from './demo/demo-loader';
import { FeedHub } from './feed/shared/feed-hub.service';
import { installGracefulShutdown } from './graceful-shutdown';
import {
  ConfigError,
  generateToken,
  hashToken,
  loadLedgerConfig,
  LedgerConfig,
  loadOrCreateTokenRegistry,
  MissingTokensFileError,
  nestLogLevels,
  TokenFileError,
  TokenFileFollower,
  TokenRegistry,
} from './platform';
import { LedgerDatabase } from './platform/postgres/ledger-database';
import { seedTokenTable, TokenTable, TokenTableFollower, type TokenTableSeed } from './platform/postgres/token-table.follower';

/** The connection string as an operator may see it in a log: without the password. */
const redactedConnection = (connection: string): string => connection.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

const fail = (error: unknown): never => {
  if (error instanceof MissingTokensFileError) {
    console.error(error.message);
    process.exit(error.exitCode);
  }
  if (error instanceof ConfigError || error instanceof TokenFileError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
};

/**
 * Whether this data directory belongs to a ledger that has recorded something: then a missing tokens file is a loss
 * to report, not a first start. On EventStoreDB the log is out of reach before start; read models built here say it ran.
 */
const ledgerHoldsData = (config: LedgerConfig): boolean => {
  if (config.eventStoreConnectionString !== undefined) return existsSync(config.readModelsFile);
  const eventsFile = join(config.dataDir, EVENTS_FILE);
  if (!existsSync(eventsFile)) return false;
  const db = new Database(eventsFile, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    return hasTable && db.prepare('SELECT 1 FROM events LIMIT 1').get() !== undefined;
  } finally {
    db.close();
  }
};

/** The ledger schema (migrated), its token table filled on the first start, and a registry following it. */
async function openSharedTokens(
  config: LedgerConfig,
  options: ConstructorParameters<typeof TokenFileFollower>[1],
): Promise<{ db: LedgerDatabase; tokens: TokenTableFollower; seed: TokenTableSeed }> {
  const db = new LedgerDatabase({ connectionString: config.readModels!.url, schema: config.ledgerSchema });
  try {
    await db.migrate();
    const seed = await seedTokenTable(new TokenTable(db), { tokensFile: config.tokensFile, dataDir: config.dataDir, ledgerHoldsData: () => ledgerHoldsData(config) });
    return { db, tokens: await TokenTableFollower.open(db, options), seed };
  } catch (error) {
    await db.close().catch(() => undefined);
    if (error instanceof MissingTokensFileError || error instanceof TokenFileError) throw error;
    throw new Error(`PostgreSQL (LEDGER_READ_MODELS_URL) holds the replicas' tokens and notary key, and cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(threadScript: string): Promise<void> {
  const demo = process.argv.includes('--demo') || process.env.LEDGER_DEMO === 'true';
  const config = (() => {
    try {
      return loadLedgerConfig(process.env, process.cwd());
    } catch (error) {
      return fail(error);
    }
  })();
  const logger = new Logger('Ledger');

  // The demo loader writes through the API like any recorder, with a token that never leaves this process.
  const demoToken = generateToken();
  const tokensLogger = new Logger('Tokens');
  const tokenOptions = {
    extra: demo ? [{ principal: DEMO_PRINCIPAL, roles: ['recorder' as const], sha256: hashToken(demoToken) }] : [],
    log: { log: (m: string) => tokensLogger.log(m), warn: (m: string) => tokensLogger.warn(m), error: (m: string) => tokensLogger.error(m) },
  };
  // Replicas (PostgreSQL configured) share the tokens in the ledger schema; a single ledger keeps them in its file.
  const shared = config.readModels ? await openSharedTokens(config, tokenOptions).catch(fail) : undefined;
  const boot = shared
    ? undefined
    : (() => {
        try {
          return loadOrCreateTokenRegistry({ ...config, ledgerHoldsData: () => ledgerHoldsData(config) });
        } catch (error) {
          return fail(error);
        }
      })();
  const tokens: TokenRegistry & { stop(): unknown } = shared?.tokens ?? new TokenFileFollower(boot!.tokensFile, tokenOptions).start();

  const app = await createLedgerApp({
    config,
    tokens,
    logLevels: nestLogLevels(config.logLevel),
    projectionThreadScript: threadScript,
    storeWriterThreadScript: threadScript,
    ...(shared ? { ledgerDatabase: shared.db } : {}),
  });
  installGracefulShutdown(app, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    cutOffStreams: () => app.get(FeedHub).cutOffAll(),
    afterClose: async () => {
      await tokens.stop();
      await shared?.db.close();
    },
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  if (demo) {
    const loaded = await loadDemoIfEmpty(app, demoToken, undefined, { onRetry: (url, status) => logger.warn(`Demo data: ${url} answered ${status}; retrying`) });
    logger.log(loaded ? `Demo data loaded: incident ${base}/incidents/${loaded.incident}/versions` : 'Store not empty: demo data not loaded again');
  }

  logger.log(
    config.eventStoreConnectionString
      ? `Event store: EventStoreDB at ${redactedConnection(config.eventStoreConnectionString)}`
      : `Event store: embedded SQLite, ${join(config.dataDir, EVENTS_FILE)}`,
  );
  logger.log(`Data directory: ${config.dataDir}`);
  // Said on its own line: LEDGER_READ_MODELS_FILE may put them outside the data directory.
  if (!config.readModels) logger.log(`Read models: SQLite, ${config.readModelsFile}${config.readModelsSync === 'off' ? ' (not fsynced; rebuilt from the log if the machine restarts before a clean stop)' : ''}`);
  if (boot?.created) logger.log(`First start: API tokens written to ${boot.created.initialTokensFile} (one per role; keep them, then delete the file)`);
  if (shared?.seed.initialTokensFile) logger.log(`First start: API tokens written to ${shared.seed.initialTokensFile} (one per role; keep them, then delete the file)`);
  if (shared?.seed.seededFrom === 'tokens-file') logger.log(`API tokens copied from ${config.tokensFile} into PostgreSQL; the file is no longer read (ledger-cli tokens writes the table)`);
  if (boot?.lingeringInitialTokensFile) logger.warn(`Delete ${boot.lingeringInitialTokensFile} once you have stored its tokens`);
  logger.log(shared ? `Tokens (hashes only): PostgreSQL table ${shared.db.table('api_tokens')}, shared by the replicas` : `Tokens file (hashes only): ${boot!.tokensFile}`);
  logger.log(`API:  ${base}/incidents`);
  logger.log(`Docs: ${base}/docs  (OpenAPI: ${base}/openapi.json)`);
}

/** Starts the API on the main thread; `threadScript` is the built entry its writer and projection threads run. */
export const startApi = (threadScript: string): void => void main(threadScript).catch(fail);
