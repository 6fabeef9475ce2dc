import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ROLES, type Role, type TokenScope } from '../../../ledger-api/src/platform/auth/principal.model';
import {
  generateToken,
  hashToken,
  type TokenEntry,
  TokenFileError,
  tokenIdOf,
  TokenRegistry,
  writeTokensFile,
} from '../../../ledger-api/src/platform/auth/token.registry';
import { LedgerDatabase } from '../../../ledger-api/src/platform/postgres/ledger-database';
import { TokenTable } from '../../../ledger-api/src/platform/postgres/token-table.follower';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions, resolveLedgerConfig } from '../ledger-files';

interface TokensOptions extends GlobalOptions {
  json?: boolean;
}

interface IssueOptions extends TokensOptions {
  principal: string;
  role: Role[];
  incident?: string[];
  party?: string[];
}

/** A lock older than this was left by a killed CLI. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 5_000;

/** Where the API reads its tokens: the ledger schema in PostgreSQL when replicas share one (LEDGER_READ_MODELS_URL), else the file. */
type TokenStore = { kind: 'file'; file: string } | { kind: 'table'; url: string; schema: string };

const tokenStoreOf = (options: GlobalOptions): TokenStore => {
  const config = resolveLedgerConfig(options);
  return config.readModels ? { kind: 'table', url: config.readModels.url, schema: config.ledgerSchema } : { kind: 'file', file: config.tokensFile };
};

const withTable = async <T>(store: Extract<TokenStore, { kind: 'table' }>, work: (table: TokenTable) => Promise<T>): Promise<T> => {
  const db = new LedgerDatabase({ connectionString: store.url, schema: store.schema, maxConnections: 1 });
  try {
    await db.migrate();
    return await work(new TokenTable(db));
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof TokenFileError) throw new CliError(error.problems.join('\n'), EXIT.usage);
    throw new CliError(`The tokens live in PostgreSQL (LEDGER_READ_MODELS_URL), which cannot be used: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  } finally {
    await db.close();
  }
};

const readStore = (store: TokenStore, mustExist: boolean): Promise<TokenEntry[]> =>
  store.kind === 'file' ? Promise.resolve(readEntries(store.file, mustExist)) : withTable(store, (table) => table.read());

/** Every change of the tokens, to whichever store the API reads; the table's change runs in one locked transaction. */
const changeStore = <T>(store: TokenStore, mustExist: boolean, change: (entries: TokenEntry[]) => { entries: TokenEntry[]; result: T }): Promise<T> =>
  store.kind === 'file' ? changeEntries(store.file, mustExist, change) : withTable(store, (table) => table.change(change));

const readEntries = (file: string, mustExist: boolean): TokenEntry[] => {
  if (!existsSync(file)) {
    if (mustExist) throw new CliError(`No tokens file at ${file}: issue the first token with \`ledger-cli tokens issue\`.`, EXIT.usage);
    return [];
  }
  try {
    return TokenRegistry.fromFile(file).list();
  } catch (error) {
    if (error instanceof TokenFileError) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read, change and write the file under a lock, so two operators' changes do not overwrite each other. The API only
 * reads the file; it sees each change whole, since the write is a rename.
 */
const changeEntries = async <T>(file: string, mustExist: boolean, change: (entries: TokenEntry[]) => { entries: TokenEntry[]; result: T }): Promise<T> => {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new CliError(`${lock} is held by another ledger-cli; try again (or remove it if no ledger-cli runs).`, EXIT.busy);
      else await sleep(50);
    }
  }
  try {
    const { entries, result } = change(readEntries(file, mustExist));
    try {
      // Parsing what is about to be written checks it with the API's own rules (roles, scope, duplicates).
      TokenRegistry.parse({ tokens: entries }, file);
    } catch (error) {
      if (error instanceof TokenFileError) throw new CliError(error.problems.join('\n'), EXIT.usage);
      throw error;
    }
    writeTokensFile(file, entries);
    return result;
  } finally {
    rmSync(lock, { force: true });
  }
};

const newEntry = (principal: string, roles: Role[], scope: TokenScope | undefined, token: string): TokenEntry => {
  const sha256 = hashToken(token);
  return { id: tokenIdOf(sha256), principal, roles, sha256, ...(scope ? { scope } : {}), createdAt: new Date().toISOString() };
};

const describe = (e: TokenEntry): string => {
  const scope = e.scope ? ` scope ${[...(e.scope.incidents ?? []).map((i) => `incident:${i}`), ...(e.scope.parties ?? []).map((p) => `party:${p}`)].join(',')}` : '';
  return `${e.principal} (${e.roles.join(',')})${scope}`;
};

/** The one place a token's secret is printed: stdout, alone (or in --json), so that `$(ledger-cli tokens issue …)` is the token. */
const printIssued = (out: CliOutput, options: TokensOptions, entry: TokenEntry, token: string, note: string): void => {
  if (options.json) {
    out.result(JSON.stringify({ id: entry.id, principal: entry.principal, roles: entry.roles, ...(entry.scope ? { scope: entry.scope } : {}), token }, null, 2));
  } else {
    out.progress(`${note} ${entry.id}: ${describe(entry)}. The token is shown only now; the ledger keeps its hash:`);
    out.result(token);
  }
};

const findEntry = (entries: TokenEntry[], id: string): TokenEntry => {
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw new CliError(`No token with id ${id} (see \`ledger-cli tokens list --all\`).`, EXIT.failed);
  return entry;
};

const listLines = (entries: TokenEntry[]): string[] => {
  if (entries.length === 0) return ['(no tokens)'];
  const rows = entries.map((e) => [e.id!, e.principal, e.roles.join(','), e.scope ? describe(e).replace(/^.*? scope /, '') : '-', e.createdAt ?? '-', e.revokedAt ? `revoked ${e.revokedAt}` : 'active']);
  const header = ['id', 'principal', 'roles', 'scope', 'created', 'state'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
};

export const tokensCommand = (out: CliOutput): Command => {
  const tokens = new Command('tokens')
    .description('Issue, list, revoke and rotate API tokens; a running API picks changes up within about a second')
    .addHelpText(
      'after',
      `
The tokens file (LEDGER_TOKENS_FILE, default <data dir>/tokens.json) keeps
only SHA-256 hashes; a token's secret is printed once, when it is issued or
rotated. Ids are what list, revoke and rotate name tokens by. With
LEDGER_READ_MODELS_URL set (replicas sharing PostgreSQL) the tokens live in
the table api_tokens of the ledger schema (LEDGER_POSTGRES_SCHEMA, default
ledger) instead, and every replica follows it.

Examples:
  ledger-cli tokens issue --principal newsroom-cms --role integrator --party karabakh-defense-army
  ledger-cli tokens list --all
  ledger-cli tokens rotate 3f2a9c0d1b7e
  ledger-cli tokens revoke 3f2a9c0d1b7e`,
    );

  tokens.addCommand(
    new Command('issue')
      .description('Issue a new token and print it (only now); creates the tokens file if there is none')
      .requiredOption('--principal <id>', 'who the token belongs to (becomes recordedBy on what it writes)')
      .addOption(new Option('--role <role...>', 'one or more roles').choices(ROLES).makeOptionMandatory())
      .option('--incident <uuid...>', 'limit the token to these incidents')
      .option('--party <id...>', 'limit the token to these parties')
      .option('--json', 'print {id, principal, roles, scope, token} as JSON')
      .action(async (_o: IssueOptions, command: Command) => {
        const options = command.optsWithGlobals<IssueOptions>();
        const scope = options.incident || options.party ? { ...(options.incident ? { incidents: options.incident } : {}), ...(options.party ? { parties: options.party } : {}) } : undefined;
        const token = generateToken();
        const entry = newEntry(options.principal.trim(), options.role, scope, token);
        await changeStore(tokenStoreOf(options), false, (entries) => ({ entries: [...entries, entry], result: undefined }));
        printIssued(out, options, entry, token, 'Issued token');
      }),
  );

  tokens.addCommand(
    new Command('list')
      .description('List tokens: id, principal, roles, scope, when created, whether revoked (never a secret)')
      .option('--all', 'include revoked tokens')
      .option('--json', 'print the entries as JSON (hashes left out)')
      .action(async (_o: TokensOptions & { all?: boolean }, command: Command) => {
        const options = command.optsWithGlobals<TokensOptions & { all?: boolean }>();
        const entries = (await readStore(tokenStoreOf(options), true)).filter((e) => options.all || e.revokedAt === undefined);
        if (options.json) out.result(JSON.stringify(entries.map(({ sha256: _hash, ...rest }) => rest), null, 2));
        else for (const line of listLines(entries)) out.result(line);
      }),
  );

  tokens.addCommand(
    new Command('revoke')
      .description('Revoke a token: the API refuses it (401) from its next reading of the file, within about a second')
      .argument('<id>', 'the token id (see list)')
      .action(async (id: string, _o: TokensOptions, command: Command) => {
        const options = command.optsWithGlobals<TokensOptions>();
        const revoked = await changeStore(tokenStoreOf(options), true, (entries) => {
          const entry = findEntry(entries, id);
          if (entry.revokedAt) return { entries, result: entry };
          const updated = { ...entry, revokedAt: new Date().toISOString() };
          return { entries: entries.map((e) => (e === entry ? updated : e)), result: updated };
        });
        out.result(`Revoked token ${revoked.id} of ${describe(revoked)} (at ${revoked.revokedAt})`);
      }),
  );

  tokens.addCommand(
    new Command('rotate')
      .description('Replace a token by a new one with the same principal, roles and scope; the old one is revoked at once')
      .argument('<id>', 'the token id (see list)')
      .option('--json', 'print {id, principal, roles, scope, token} as JSON')
      .action(async (id: string, _o: TokensOptions, command: Command) => {
        const options = command.optsWithGlobals<TokensOptions>();
        const token = generateToken();
        const entry = await changeStore(tokenStoreOf(options), true, (entries) => {
          const old = findEntry(entries, id);
          if (old.revokedAt) throw new CliError(`Token ${id} is revoked; issue a new one instead.`, EXIT.failed);
          const fresh = newEntry(old.principal, old.roles, old.scope, token);
          return { entries: [...entries.map((e) => (e === old ? { ...e, revokedAt: fresh.createdAt } : e)), fresh], result: fresh };
        });
        printIssued(out, options, entry, token, `Rotated ${id} into token`);
      }),
  );
  return tokens;
};
