import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRole, type Principal, type Role, ROLES, type TokenScope } from './principal.model';

/** One line of the tokens file. Only the SHA-256 of a token is ever stored. */
export interface TokenEntry {
  principal: string;
  roles: Role[];
  /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
  sha256: string;
  /** Limits what the token sees (feeds honour it); absent: no limit beyond its roles. */
  scope?: TokenScope;
}

export interface TokensFileContent {
  tokens: TokenEntry[];
}

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
  private readonly entries: readonly StoredEntry[];

  constructor(private readonly tokenEntries: readonly TokenEntry[]) {
    this.entries = tokenEntries.map((e) => ({
      principal: Object.freeze({
        id: e.principal,
        roles: Object.freeze([...e.roles]) as Role[],
        ...(e.scope ? { scope: Object.freeze({ ...e.scope }) } : {}),
      }),
      hash: Buffer.from(e.sha256, 'hex'),
    }));
  }

  /** Validates the parsed JSON of a tokens file; `source` names it in errors. */
  static parse(content: unknown, source = 'tokens file'): TokenRegistry {
    const problems: string[] = [];
    const tokens = (content as { tokens?: unknown } | null)?.tokens;
    if (content === null || typeof content !== 'object' || !Array.isArray(tokens)) {
      throw new TokenFileError(source, ['expected a JSON object { "tokens": [ ... ] }']);
    }
    const seen = new Set<string>();
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
      problems.push(...entryProblems);
      if (entryProblems.length === 0) {
        seen.add(sha!);
        entries.push({
          principal: (t.principal as string).trim(),
          roles: [...new Set(t.roles as Role[])],
          sha256: sha!,
          ...(scope ? { scope } : {}),
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

  /** A registry that also accepts the given entries, e.g. an in-process token for the demo loader. */
  with(entries: readonly TokenEntry[]): TokenRegistry {
    return new TokenRegistry([...this.tokenEntries, ...entries]);
  }

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

/**
 * Loads the tokens file, or on first start creates one token per role, stores
 * their hashes in the tokens file and their plaintext once in
 * `<dataDir>/initial-tokens.txt` (both mode 0600).
 */
export function loadOrCreateTokenRegistry(options: { tokensFile: string; dataDir: string; now?: () => Date }): TokenBootstrap {
  const { tokensFile, dataDir } = options;
  const initialTokensFile = join(dataDir, INITIAL_TOKENS_FILE_NAME);
  if (existsSync(tokensFile)) {
    const registry = TokenRegistry.fromFile(tokensFile);
    return existsSync(initialTokensFile)
      ? { registry, tokensFile, lingeringInitialTokensFile: initialTokensFile }
      : { registry, tokensFile };
  }

  const issued: IssuedToken[] = ROLES.map((role) => ({ principal: `initial-${role}`, roles: [role], token: generateToken() }));
  const entries: TokenEntry[] = issued.map((t) => ({ principal: t.principal, roles: t.roles, sha256: hashToken(t.token) }));
  const createdAt = (options.now ?? (() => new Date()))().toISOString();

  // Plaintext first, hashes last: if we crash in between there is no tokens
  // file, so the next start issues a fresh set instead of leaving hashes
  // whose tokens nobody ever saw.
  writePrivateFile(initialTokensFile, renderInitialTokens(issued, tokensFile, createdAt));
  const content: TokensFileContent = { tokens: entries };
  writePrivateFile(tokensFile, JSON.stringify(content, null, 2) + '\n');

  return {
    registry: new TokenRegistry(entries),
    tokensFile,
    created: { initialTokensFile, principals: issued.map((t) => t.principal) },
  };
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
function writePrivateFile(path: string, content: string): void {
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
