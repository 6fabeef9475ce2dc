import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRole, type Principal, type Role, ROLES, type TokenScope } from './principal.model';

/** One line of the tokens file. Only the SHA-256 of a token is ever stored. */
export interface TokenEntry {
  /** What operators name the token by (list, revoke, rotate); files written before ids had none and get the hash's prefix. */
  id?: string;
  principal: string;
  roles: Role[];
  /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
  sha256: string;
  /** Limits what the token sees (feeds honour it); absent: no limit beyond its roles. */
  scope?: TokenScope;
  createdAt?: string;
  /** Set by `ledger-cli tokens revoke|rotate`: the entry stays listed, the token is refused. */
  revokedAt?: string;
}

/** Version 2 added `id`, `createdAt` and `revokedAt`; a file without `version` is version 1 and reads as before. */
export const TOKENS_FILE_VERSION = 2;

export interface TokensFileContent {
  version?: number;
  tokens: TokenEntry[];
}

/** The id a version-1 entry is listed under: short, stable, and no help in guessing the token. */
export const tokenIdOf = (sha256: string): string => sha256.slice(0, 12);
const TOKEN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class TokenFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super([`Invalid tokens file ${path}:`, ...problems.map((p) => `  ${p}`)].join('\n'));
    this.name = 'TokenFileError';
  }
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** 32 random bytes, base64url: 43 characters, safe in headers and shells. */
export const generateToken = (): string => randomBytes(32).toString('base64url');

interface StoredEntry {
  principal: Principal;
  hash: Buffer;
}

/**
 * Answers "whose token is this?" from hashes alone, so a leaked tokens file
 * does not leak credentials. Register as a provider: `{ provide: TokenRegistry, useValue: registry }`.
 */
export class TokenRegistry {
  private entries: readonly StoredEntry[] = [];
  private tokenEntries: readonly TokenEntry[] = [];

  constructor(tokenEntries: readonly TokenEntry[]) {
    this.replaceEntries(tokenEntries);
  }

  /** For a registry that follows its file: later calls to authenticate see the new entries. */
  protected replaceEntries(tokenEntries: readonly TokenEntry[]): void {
    this.tokenEntries = tokenEntries;
    this.entries = tokenEntries
      .filter((e) => e.revokedAt === undefined)
      .map((e) => ({
        principal: Object.freeze({
          id: e.principal,
          roles: Object.freeze([...e.roles]) as Role[],
          ...(e.scope ? { scope: Object.freeze({ ...e.scope }) } : {}),
        }),
        hash: Buffer.from(e.sha256, 'hex'),
      }));
  }

  /** Every entry, revoked ones included, each with its id. */
  list(): TokenEntry[] {
    return this.tokenEntries.map((e) => ({ ...e, id: e.id ?? tokenIdOf(e.sha256) }));
  }

  /** Validates the parsed JSON of a tokens file; `source` names it in errors. */
  static parse(content: unknown, source = 'tokens file'): TokenRegistry {
    const problems: string[] = [];
    const tokens = (content as { tokens?: unknown } | null)?.tokens;
    if (content === null || typeof content !== 'object' || !Array.isArray(tokens)) {
      throw new TokenFileError(source, ['expected a JSON object { "tokens": [ ... ] }']);
    }
    const version = (content as { version?: unknown }).version;
    if (version !== undefined && version !== 1 && version !== TOKENS_FILE_VERSION) {
      throw new TokenFileError(source, [`version: ${JSON.stringify(version)} is not one this ledger reads (1 or ${TOKENS_FILE_VERSION})`]);
    }
    const seen = new Set<string>();
    const seenIds = new Set<string>();
    const entries: TokenEntry[] = [];
    tokens.forEach((raw: unknown, i: number) => {
      const at = `tokens[${i}]`;
      const t = (raw ?? {}) as Record<string, unknown>;
      const entryProblems: string[] = [];
      if (typeof t.principal !== 'string' || t.principal.trim() === '') {
        entryProblems.push(`${at}.principal: expected a non-empty string`);
      }
      if (!Array.isArray(t.roles) || t.roles.length === 0 || !t.roles.every(isRole)) {
        entryProblems.push(`${at}.roles: expected a non-empty array of ${ROLES.join(', ')}`);
      }
      const sha = typeof t.sha256 === 'string' ? t.sha256.toLowerCase() : undefined;
      if (sha === undefined || !/^[0-9a-f]{64}$/.test(sha)) {
        entryProblems.push(`${at}.sha256: expected 64 hex characters (the SHA-256 of the token, never the token itself)`);
      } else if (seen.has(sha)) {
        entryProblems.push(`${at}.sha256: the same token is listed twice`);
      }
      const scope = parseScope(t.scope, `${at}.scope`, entryProblems);
      if (t.id !== undefined && (typeof t.id !== 'string' || !TOKEN_ID.test(t.id))) {
        entryProblems.push(`${at}.id: expected 1 to 64 letters, digits, '.', '_' or '-'`);
      }
      const id = typeof t.id === 'string' ? t.id : sha === undefined ? undefined : tokenIdOf(sha);
      if (id !== undefined && seenIds.has(id) && !(sha !== undefined && seen.has(sha))) entryProblems.push(`${at}.id: ${id} is listed twice`);
      for (const key of ['createdAt', 'revokedAt'] as const) {
        if (t[key] !== undefined && (typeof t[key] !== 'string' || Number.isNaN(Date.parse(t[key] as string)))) {
          entryProblems.push(`${at}.${key}: expected an ISO-8601 instant`);
        }
      }
      problems.push(...entryProblems);
      if (entryProblems.length === 0) {
        seen.add(sha!);
        seenIds.add(id!);
        entries.push({
          id: id!,
          principal: (t.principal as string).trim(),
          roles: [...new Set(t.roles as Role[])],
          sha256: sha!,
          ...(scope ? { scope } : {}),
          ...(t.createdAt !== undefined ? { createdAt: t.createdAt as string } : {}),
          ...(t.revokedAt !== undefined ? { revokedAt: t.revokedAt as string } : {}),
        });
      }
    });
    if (problems.length > 0) throw new TokenFileError(source, problems);
    return new TokenRegistry(entries);
  }

  static fromFile(path: string): TokenRegistry {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new TokenFileError(path, [`cannot read it: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new TokenFileError(path, [`not valid JSON: ${(e as Error).message}`]);
    }
    return TokenRegistry.parse(json, path);
  }

  /** Tokens that authenticate (revoked ones do not count). */
  get size(): number {
    return this.entries.length;
  }

  /** The principal a bearer token belongs to, or undefined. */
  authenticate(token: string): Principal | undefined {
    if (token === '') return undefined;
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let match: Principal | undefined;
    // No early exit: the time taken does not depend on which entry matched.
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.hash) && match === undefined) match = entry.principal;
    }
    return match ? { id: match.id, roles: [...match.roles], ...(match.scope ? { scope: match.scope } : {}) } : undefined;
  }
}

export interface IssuedToken {
  principal: string;
  roles: Role[];
  token: string;
}

export interface TokenBootstrap {
  registry: TokenRegistry;
  tokensFile: string;
  /** Present only on the start that created the tokens file. */
  created?: {
    /** Where the plaintext tokens were written, once; main prints "tokens written to <path>". */
    initialTokensFile: string;
    principals: string[];
  };
  /** On later starts: the plaintext file still exists and should be deleted; main may say so. */
  lingeringInitialTokensFile?: string;
}

export const INITIAL_TOKENS_FILE_NAME = 'initial-tokens.txt';

/** sysexits' EX_CONFIG: a supervisor that restarts on failure should not expect a retry to help. */
export const MISSING_TOKENS_EXIT_CODE = 78;

/** The tokens file is gone while the ledger holds data: issuing a fresh set would lock out every existing token. */
export class MissingTokensFileError extends Error {
  readonly exitCode = MISSING_TOKENS_EXIT_CODE;

  constructor(readonly path: string) {
    super(
      [
        `Refusing to start: the tokens file ${path} is missing, but this ledger already holds data.`,
        'Issuing a new set of tokens here would lock out every token handed out so far, scoped ones included.',
        'Either put the file back (from a backup: ledger-cli restore, or a copy of tokens.json),',
        'or issue tokens for this ledger on purpose, which creates the file:',
        '  ledger-cli tokens issue --principal <name> --role <reader|recorder|auditor|integrator|admin> [--data-dir <dir>]',
      ].join('\n'),
    );
    this.name = 'MissingTokensFileError';
  }
}

/**
 * Loads the tokens file, or on first start creates one token per role, stores
 * their hashes in the tokens file and their plaintext once in
 * `<dataDir>/initial-tokens.txt` (both mode 0600). Only a first start: when
 * `ledgerHoldsData` says the ledger has data, a missing file is refused.
 */
export function loadOrCreateTokenRegistry(options: {
  tokensFile: string;
  dataDir: string;
  now?: () => Date;
  ledgerHoldsData?: () => boolean;
}): TokenBootstrap {
  const { tokensFile, dataDir } = options;
  const initialTokensFile = join(dataDir, INITIAL_TOKENS_FILE_NAME);
  if (existsSync(tokensFile)) {
    const registry = TokenRegistry.fromFile(tokensFile);
    return existsSync(initialTokensFile)
      ? { registry, tokensFile, lingeringInitialTokensFile: initialTokensFile }
      : { registry, tokensFile };
  }
  if (options.ledgerHoldsData?.()) throw new MissingTokensFileError(tokensFile);

  // Plaintext first, hashes last: if we crash in between there is no tokens
  // file, so the next start issues a fresh set instead of leaving hashes
  // whose tokens nobody ever saw.
  const initial = issueInitialTokens(dataDir, tokensFile, options.now);
  writeTokensFile(tokensFile, initial.entries);

  return {
    registry: new TokenRegistry(initial.entries),
    tokensFile,
    created: { initialTokensFile: initial.initialTokensFile, principals: initial.principals },
  };
}

/**
 * One token per role for a ledger's first start: their plaintext written once to `<dataDir>/initial-tokens.txt`
 * (mode 0600), their entries returned for the caller to store (in `storedIn`, named in that file).
 */
export function issueInitialTokens(dataDir: string, storedIn: string, now: () => Date = () => new Date()): { entries: TokenEntry[]; initialTokensFile: string; principals: string[] } {
  const initialTokensFile = join(dataDir, INITIAL_TOKENS_FILE_NAME);
  const issued: IssuedToken[] = ROLES.map((role) => ({ principal: `initial-${role}`, roles: [role], token: generateToken() }));
  const createdAt = now().toISOString();
  const entries: TokenEntry[] = issued.map((t) => {
    const sha256 = hashToken(t.token);
    return { id: tokenIdOf(sha256), principal: t.principal, roles: t.roles, sha256, createdAt };
  });
  writePrivateFile(initialTokensFile, renderInitialTokens(issued, storedIn, createdAt));
  return { entries, initialTokensFile, principals: issued.map((t) => t.principal) };
}

/** Writes the whole tokens file in the current version, atomically: the API, which follows the file, never reads half of it. */
export function writeTokensFile(path: string, entries: readonly TokenEntry[]): void {
  const content: TokensFileContent = { version: TOKENS_FILE_VERSION, tokens: [...entries] };
  writePrivateFile(path, JSON.stringify(content, null, 2) + '\n');
}

function renderInitialTokens(issued: IssuedToken[], tokensFile: string, createdAt: string): string {
  const width = Math.max(...issued.map((t) => t.principal.length));
  return [
    `# Incident Ledger bearer tokens, issued ${createdAt}.`,
    `# Shown only here: the ledger keeps just their SHA-256 hashes, in ${tokensFile}.`,
    '# Hand each to its user (Authorization: Bearer <token>), keep them in a secret store, then delete this file.',
    '# principal  roles  token',
    ...issued.map((t) => `${t.principal.padEnd(width)}  ${t.roles.join(',').padEnd(8)}  ${t.token}`),
    '',
  ].join('\n');
}

/** Atomic (temp file + rename) and owner-only, whatever the umask or an older file's mode. */
export function writePrivateFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

const INCIDENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PARTY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `{ incidents?: uuid[], parties?: slug[] }`, at least one non-empty list; problems are added to `problems`. */
function parseScope(raw: unknown, at: string, problems: string[]): TokenScope | undefined {
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${at}: expected { "incidents": [uuid...], "parties": [party id...] }`);
    return undefined;
  }
  const { incidents, parties, ...rest } = raw as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`${at}.${key}: unknown member (incidents and parties are allowed)`);
  const list = (value: unknown, name: string, pattern: RegExp, what: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && pattern.test(v.toLowerCase()))) {
      problems.push(`${at}.${name}: expected a non-empty array of ${what}`);
      return undefined;
    }
    return [...new Set(value.map((v: string) => v.toLowerCase()))];
  };
  const scope: TokenScope = {};
  const incidentIds = list(incidents, 'incidents', INCIDENT_ID, 'incident ids (UUIDs)');
  const partyIds = list(parties, 'parties', PARTY_ID, 'party ids (kebab-case slugs)');
  if (incidentIds) scope.incidents = incidentIds;
  if (partyIds) scope.parties = partyIds;
  if (incidents === undefined && parties === undefined) problems.push(`${at}: name at least one of incidents, parties`);
  return scope;
}
