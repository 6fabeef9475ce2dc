import { existsSync } from 'node:fs';
import type { Client, PoolClient } from 'pg';
import { issueInitialTokens, MissingTokensFileError, type TokenEntry, TokenRegistry, TOKENS_FILE_VERSION } from '../auth/token.registry';
import type { LedgerDatabase } from './ledger-database';
import { TOKENS_CHANGED_CHANNEL } from './ledger.migrations';

interface TokenRow {
  id: string;
  principal: string;
  roles: string[];
  sha256: string;
  scope: TokenEntry['scope'] | null;
  created_at: Date | null;
  revoked_at: Date | null;
}

/**
 * The API tokens in PostgreSQL (`<schema>.api_tokens`), for replicas that share them: the same entries, rules and
 * validation as `tokens.json` (TokenRegistry.parse), hashes only.
 */
export class TokenTable {
  constructor(private readonly db: LedgerDatabase) {}

  /** What operators and the initial-tokens file call it. */
  get name(): string {
    return `PostgreSQL table ${this.db.table('api_tokens')}`;
  }

  /** Every entry, revoked ones included, validated as a tokens file is. */
  async read(client: Pick<PoolClient, 'query'> = this.db.pool): Promise<TokenEntry[]> {
    const { rows } = await client.query<TokenRow>(`SELECT * FROM ${this.db.table('api_tokens')} ORDER BY created_at NULLS FIRST, id`);
    return TokenRegistry.parse({ version: TOKENS_FILE_VERSION, tokens: rows.map(entryOf) }, this.name).list();
  }

  /**
   * Reads, changes and writes every entry in one transaction, the table locked against other writers meanwhile (what
   * `ledger-cli tokens` does to the file under its lock file); `change` may throw to write nothing.
   */
  change<T>(change: (entries: TokenEntry[]) => { entries: TokenEntry[]; result: T }): Promise<T> {
    return this.locked(async (client) => {
      const { entries, result } = change(await this.read(client));
      await this.write(client, entries, true);
      return result;
    });
  }

  /** Replaces every entry at once (what `ledger-cli tokens` does to tokens.json), after the same validation. */
  async replace(entries: readonly TokenEntry[]): Promise<void> {
    await this.change(() => ({ entries: [...entries], result: undefined }));
  }

  /**
   * Writes `create()`'s entries if the table holds none, and says whether it did. Replicas starting together take a
   * lock on the table first, so exactly one of them creates the initial set and the others see it.
   */
  createIfEmpty(create: () => readonly TokenEntry[]): Promise<boolean> {
    return this.locked(async (client) => {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.db.table('api_tokens')}`);
      if (Number(rows[0].n) > 0) return false;
      await this.write(client, create(), false);
      return true;
    });
  }

  /** Validated as a tokens file is, then written; `replacing` clears the table first. */
  private async write(client: PoolClient, entries: readonly TokenEntry[], replacing: boolean): Promise<void> {
    const valid = TokenRegistry.parse({ version: TOKENS_FILE_VERSION, tokens: entries }, 'tokens').list();
    if (replacing) await client.query(`DELETE FROM ${this.db.table('api_tokens')}`);
    for (const e of valid) await insert(client, this.db.table('api_tokens'), e);
  }

  /** One transaction with the table locked against other writers (readers go on); rolled back if `work` throws. */
  private async locked<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${this.db.table('api_tokens')} IN SHARE ROW EXCLUSIVE MODE`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

export interface TokenTableSeed {
  /** Where the tokens were taken from on the start that filled the table: the tokens file, or a fresh set per role. */
  seededFrom?: 'tokens-file' | 'initial-set';
  /** With a fresh set: the file their plaintext was written to. */
  initialTokensFile?: string;
}

/**
 * Fills an empty table on the first start with PostgreSQL: from the tokens file when there is one (a ledger that ran
 * alone before keeps its tokens), else with one fresh token per role, as a first start does with a file. Replicas
 * starting together fill it once between them. A ledger that holds data but has neither tokens file nor rows is
 * refused, as without PostgreSQL: a fresh set would lock out every token handed out so far.
 */
export async function seedTokenTable(table: TokenTable, options: { tokensFile: string; dataDir: string; ledgerHoldsData?: () => boolean }): Promise<TokenTableSeed> {
  const seed: TokenTableSeed = {};
  await table.createIfEmpty(() => {
    if (existsSync(options.tokensFile)) {
      seed.seededFrom = 'tokens-file';
      return TokenRegistry.fromFile(options.tokensFile).list();
    }
    if (options.ledgerHoldsData?.()) throw new MissingTokensFileError(options.tokensFile);
    const initial = issueInitialTokens(options.dataDir, table.name);
    seed.seededFrom = 'initial-set';
    seed.initialTokensFile = initial.initialTokensFile;
    return initial.entries;
  });
  return seed;
}

export interface TokenTableFollowerOptions {
  /** Entries that live in this process only (the demo loader's token); kept across reloads. */
  extra?: readonly TokenEntry[];
  /** A full reload this often whatever the notifications (a LISTEN connection can drop unnoticed); default 5 s. */
  pollMs?: number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

/**
 * A token registry that follows the table: every change commits a NOTIFY (a statement trigger), on which each replica
 * reloads, with a poll beside it. Entries that do not validate (a hand-edited row) keep the tokens loaded last in force,
 * and say so once, as the file follower does: a broken edit must not lock everyone out nor let a revoked token in.
 */
export class TokenTableFollower extends TokenRegistry {
  private listener: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private loading: Promise<boolean> | undefined;
  private lastProblem: string | undefined;
  private lastSeen = '';
  private readonly log: NonNullable<TokenTableFollowerOptions['log']>;

  private constructor(
    private readonly table: TokenTable,
    private readonly db: LedgerDatabase,
    private readonly options: TokenTableFollowerOptions,
  ) {
    super([]);
    this.log = options.log ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
  }

  /** Loads the table (failing if it cannot: the API must not start without its tokens) and follows it. */
  static async open(db: LedgerDatabase, options: TokenTableFollowerOptions = {}): Promise<TokenTableFollower> {
    const follower = new TokenTableFollower(new TokenTable(db), db, options);
    const entries = await follower.table.read();
    follower.apply(entries);
    follower.stopped = false;
    await follower.listen();
    follower.poll();
    return follower;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.loading;
  }

  /** Reads the table now; true when the entries changed. */
  reload(): Promise<boolean> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<boolean> {
    let entries: TokenEntry[];
    try {
      entries = await this.table.read();
    } catch (error) {
      this.report(`API tokens in ${this.db.table('api_tokens')} cannot be read (${error instanceof Error ? error.message : String(error)}); the tokens loaded before stay in force`);
      return false;
    }
    this.lastProblem = undefined;
    return this.apply(entries);
  }

  private apply(entries: TokenEntry[]): boolean {
    const seen = JSON.stringify(entries);
    if (seen === this.lastSeen) return false;
    const first = this.lastSeen === '';
    this.lastSeen = seen;
    this.replaceEntries([...entries, ...(this.options.extra ?? [])]);
    if (!first) this.log.log(`API tokens reloaded from PostgreSQL: ${entries.filter((e) => e.revokedAt === undefined).length} active`);
    return true;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.db.dedicatedClient();
      client.on('notification', (message) => {
        if (message.channel === TOKENS_CHANGED_CHANNEL && message.payload === this.db.schema) void this.reload();
      });
      client.on('error', () => {
        if (this.listener === client) this.listener = undefined;
        client.end().catch(() => undefined);
      });
      await client.query(`LISTEN ${TOKENS_CHANGED_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch (error) {
      this.report(`cannot LISTEN for token changes (${error instanceof Error ? error.message : String(error)}); polling only until it can`);
    }
  }

  private poll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      if (!this.listener) await this.listen();
      await this.reload();
      this.poll();
    }, this.options.pollMs ?? 5_000);
    this.timer.unref();
  }

  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.log.error(problem);
  }
}

function entryOf(row: TokenRow): TokenEntry {
  return {
    id: row.id,
    principal: row.principal,
    roles: row.roles as TokenEntry['roles'],
    sha256: row.sha256,
    ...(row.scope ? { scope: row.scope } : {}),
    ...(row.created_at ? { createdAt: row.created_at.toISOString() } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at.toISOString() } : {}),
  };
}

async function insert(client: { query: Client['query'] }, table: string, e: TokenEntry): Promise<void> {
  await client.query(`INSERT INTO ${table} (id, principal, roles, sha256, scope, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    e.id,
    e.principal,
    e.roles,
    e.sha256,
    e.scope ? JSON.stringify(e.scope) : null,
    e.createdAt ?? null,
    e.revokedAt ?? null,
  ]);
}
