import { type FSWatcher, readFileSync, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type TokenEntry, TokenFileError, TokenRegistry } from './token.registry';

export interface TokenFileFollowerOptions {
  /** Entries that live in this process only (the demo loader's token); kept across reloads. */
  extra?: readonly TokenEntry[];
  /** Changes are read this long after the last one seen, so a burst of writes is read once. */
  debounceMs?: number;
  /** Stat poll, for file systems where change notifications do not arrive (network mounts, some containers). */
  pollMs?: number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

/**
 * A token registry that follows its file: `ledger-cli tokens issue|revoke|rotate` rewrite it (atomically, by rename)
 * and the running API authenticates against the new entries within `debounceMs` (or `pollMs` where notifications do
 * not arrive). The directory is watched rather than the file, because a rename replaces the file's inode. A file that
 * disappears or does not parse keeps the tokens loaded last, and says so: a half-edited file must not lock everyone
 * out, nor let a revoked token back in.
 */
export class TokenFileFollower extends TokenRegistry {
  private readonly extra: readonly TokenEntry[];
  private readonly debounceMs: number;
  private readonly pollMs: number;
  private readonly log: NonNullable<TokenFileFollowerOptions['log']>;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string | undefined;
  private lastProblem: string | undefined;

  constructor(
    readonly file: string,
    options: TokenFileFollowerOptions = {},
  ) {
    super([]);
    this.extra = options.extra ?? [];
    this.debounceMs = options.debounceMs ?? 100;
    this.pollMs = options.pollMs ?? 1_000;
    this.log = options.log ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
    const text = readFileSync(this.file, 'utf8');
    this.replaceEntries([...TokenRegistry.parse(parseJson(text, file), file).list(), ...this.extra]);
    this.lastText = text;
  }

  start(): this {
    if (this.watcher) return this;
    const name = basename(this.file);
    try {
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.schedule();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No notifications on this file system: the poll below still sees every change.
    }
    watchFile(this.file, { persistent: false, interval: this.pollMs }, () => this.schedule());
    return this;
  }

  stop(): void {
    this.stopWatching();
    unwatchFile(this.file);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads the file now; true when the entries changed. */
  reload(): boolean {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      this.report(`Tokens file ${this.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); the tokens loaded before stay in force`);
      return false;
    }
    if (text === this.lastText) return false;
    let entries: TokenEntry[];
    try {
      entries = TokenRegistry.parse(parseJson(text, this.file), this.file).list();
    } catch (error) {
      this.report(`${(error as Error).message}\nThe tokens loaded before stay in force until the file is fixed.`);
      return false;
    }
    this.replaceEntries([...entries, ...this.extra]);
    this.lastText = text;
    this.lastProblem = undefined;
    this.log.log(`Tokens file reloaded: ${entries.filter((e) => e.revokedAt === undefined).length} active tokens (${this.file})`);
    return true;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Once per distinct problem, not on every poll. */
  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.log.error(problem);
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

const parseJson = (text: string, file: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenFileError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
};
