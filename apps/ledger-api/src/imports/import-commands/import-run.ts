import { randomUUID } from 'node:crypto';
import type { ICommand } from '@nestjs/cqrs';
import { EventLoopSlice } from '@ledger/event-store';
import { CommandContext } from '../../application/command-context';
import type { StreamCommandBatcher } from '../../application/stream-command.batcher';
import type { StreamCommandResult } from '../../application/stream-command.executor';
import { ProblemDetails, ProblemException } from '../../platform/problem/problem.exception';
import { toProblem } from '../../platform/problem/problem-details';
import { bodyCheckOf, isJsonObject } from '../../platform/problem/compiled-body-check';
import { RequestValidationException, nulFieldErrors, validateJsonBody } from '../../platform/problem/validation.pipe';
import { IMPORT_ACTIONS, ImportAction, ImportLine, parseImportLine } from './import-line';
import { importIdempotencyKey, lineRequestHash, LinePlan, planLine } from './import-line.plan';
import { ndjsonLines, NdjsonLimits, RawLine } from './ndjson-lines';

/** Runs one command through the ledger's own handlers: the CommandBus in the API, the same handlers built by hand in the CLI. */
export type DispatchCommand = (command: ICommand) => Promise<StreamCommandResult>;

export interface ImportOptions {
  /** Recorded as `recordedBy`; also scopes the line keys, as it scopes Idempotency-Keys. */
  principal: string;
  /** Shared by every event of the import. */
  correlationId: string;
  dispatch: DispatchCommand;
  /**
   * Holds the commands dispatched for a batch and stores them together on commit() (the handlers must run over it).
   * Without one, each line is dispatched and finished before the next.
   */
  batcher?: Pick<StreamCommandBatcher, 'hold' | 'commit'>;
  limits: NdjsonLimits;
  /** Most lines stored in one transaction. */
  batchLines?: number;
  /** Most line bytes in one batch. */
  batchBytes?: number;
  /** Per-line errors listed in the summary; the rest are counted. */
  maxErrors?: number;
  /** Called as lines are read, with the bytes read so far. */
  onProgress?: (progress: ImportProgress) => void;
  /** Lines are read, checked and decided in turns of the event loop of at most this long (default EVENT_LOOP_SLICE_MS). */
  sliceMs?: number;
  /** The clock of those turns (tests). */
  now?: () => number;
}

export interface ImportProgress {
  bytes: number;
  lines: number;
  imported: number;
  replayed: number;
  failed: number;
}

/** A line that was not imported: its number and key, and the problem its HTTP route would have answered. */
export interface ImportLineError extends Omit<ProblemDetails, 'instance'> {
  line: number;
  key: string | null;
}

export interface ImportSummary {
  /** Non-blank lines read. */
  lines: number;
  imported: number;
  /** Lines whose key was already imported with the same content: nothing appended. */
  replayed: number;
  failed: number;
  eventsAppended: number;
  /** The highest global position written or replayed by the import, as a string (64-bit); null when none. */
  lastPosition: string | null;
  /** The first `maxErrors` lines to fail, in line order. */
  errors: ImportLineError[];
  /** Failed lines not listed in `errors`. */
  errorsOmitted: number;
  elapsedMs: number;
}

/** The import stopped before the end of its input (the store failed, or the body broke a bound): what was done stays done. */
export class ImportAbortedError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly summary: ImportSummary,
  ) {
    super(`Import stopped after ${summary.lines} lines: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ImportAbortedError';
  }
}

export const DEFAULT_BATCH_LINES = 100;
export const DEFAULT_BATCH_BYTES = 8 * 2 ** 20;
export const DEFAULT_MAX_LISTED_ERRORS = 1000;

const ACTION_CODE = new Map<ImportAction, number>(IMPORT_ACTIONS.map((a, i) => [a, i]));
// Room for 16 actions: the eighth (gradeSource) filled three bits, and an action past the field would read as another.
const ACTION_BITS = 4;
const ACTION_MASK = (1 << ACTION_BITS) - 1;
if (IMPORT_ACTIONS.length > ACTION_MASK + 1) throw new Error(`import actions need more than ${ACTION_BITS} bits of a key's code`);
const MEMBER_FIELD: Record<string, string> = { incidentId: 'incident', claimId: 'claim' };

/** A key's best-effort reading from a line that did not parse as a whole, so its error can name it. */
const keyIn = (text: string): string | null => {
  try {
    const key = (JSON.parse(text) as { key?: unknown } | null)?.key;
    return typeof key === 'string' && key.length <= 255 ? key : null;
  } catch {
    return null;
  }
};

interface Dependency {
  member: string;
  line: number;
  key: string;
}

/** A line handed to its handler, waiting for its batch to be stored. */
interface PendingLine {
  line: ImportLine;
  outcome: Promise<StreamCommandResult>;
}

/**
 * The line's body as its command is built from: a body the route's compiled check accepts is used as parsed. The
 * command is built from a JSON copy of it either way (toPlain), so the DTO instance class-transformer would make of it,
 * with the same members and values, gives the same event; making it was a tenth of an import's main thread. Any other
 * body goes through the route's validation, which refuses it with the same 400.
 */
const validBody = (dto: new () => object, body: Record<string, unknown>): object =>
  isJsonObject(body) && bodyCheckOf(dto)?.(body) && !nulFieldErrors(body).length ? body : validateJsonBody(dto, body);

const referenceFailed = (dep: Dependency): ProblemException =>
  new ProblemException(422, 'reference-failed', `${dep.member} refers to line ${dep.line} (key ${dep.key}), which was not imported.`, { field: dep.member });

/**
 * Imports NDJSON lines, each as one command through the ledger's handlers,
 * executor and deciders, in batches: a batch's lines are decided in file
 * order, each seeing the ones before it, and stored in one transaction (see
 * StreamCommandExecutor.executeBatch). A party registration ends its batch,
 * since any later line may name the party. A failed line is reported and the
 * rest go on; a line referring to it by key fails too.
 */
export class ImportRun {
  private readonly batchLines: number;
  private readonly batchBytes: number;
  private readonly maxErrors: number;
  private readonly started = Date.now();
  /** key -> line number << ACTION_BITS | action code: every key of this import, for duplicates and references. */
  private readonly keys = new Map<string, number>();
  private readonly failedLines = new Set<number>();
  private pending: PendingLine[] = [];
  /** Contexts of the current batch's lines by line number, for references within the batch. */
  private batchContexts = new Map<number, CommandContext>();
  private pendingBytes = 0;
  private endsBatch = false;
  private fatal: unknown;
  private bytes = 0;
  private lastPosition: bigint | undefined;
  /** One budget for reading lines and deciding their batch: requests to the same HTTP thread are served between turns. */
  private readonly slice: EventLoopSlice;
  private readonly summary: Omit<ImportSummary, 'lastPosition' | 'elapsedMs'> = {
    lines: 0,
    imported: 0,
    replayed: 0,
    failed: 0,
    eventsAppended: 0,
    errors: [],
    errorsOmitted: 0,
  };

  constructor(private readonly options: ImportOptions) {
    this.batchLines = Math.max(1, options.batchLines ?? DEFAULT_BATCH_LINES);
    this.batchBytes = Math.max(1, options.batchBytes ?? DEFAULT_BATCH_BYTES);
    this.maxErrors = Math.max(0, options.maxErrors ?? DEFAULT_MAX_LISTED_ERRORS);
    this.slice = new EventLoopSlice(options.sliceMs, options.now);
  }

  async run(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): Promise<ImportSummary> {
    try {
      for await (const raw of ndjsonLines(source, this.options.limits)) {
        this.bytes += raw.bytes + 1;
        this.summary.lines += 1;
        await this.accept(raw);
        this.options.onProgress?.(this.progress());
        if (this.endsBatch || this.pending.length >= this.batchLines || this.pendingBytes >= this.batchBytes) await this.flush();
        if (this.fatal !== undefined) break;
        if (this.slice.due) await this.slice.turn();
      }
    } catch (error) {
      this.fatal ??= error;
    }
    // Lines read before a broken body or an oversized one are still stored.
    await this.flush();
    const summary = this.result();
    if (this.fatal !== undefined) throw new ImportAbortedError(this.fatal, summary);
    return summary;
  }

  progress(): ImportProgress {
    const { lines, imported, replayed, failed } = this.summary;
    return { bytes: this.bytes, lines, imported, replayed, failed };
  }

  private result(): ImportSummary {
    return {
      ...this.summary,
      errors: [...this.summary.errors].sort((a, b) => a.line - b.line),
      lastPosition: this.lastPosition === undefined ? null : this.lastPosition.toString(),
      elapsedMs: Date.now() - this.started,
    };
  }

  /** Stores the batch and records each of its lines' outcome, in file order. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.batchContexts = new Map();
    this.pendingBytes = 0;
    this.endsBatch = false;
    if (batch.length === 0) return;
    await this.options.batcher?.commit(this.slice);
    for (const { line, outcome } of batch) {
      try {
        this.record(await outcome);
      } catch (error) {
        this.fail(line.line, line.key, error, line);
      }
    }
  }

  private record(result: StreamCommandResult): void {
    if (result.replayed) {
      this.summary.replayed += 1;
    } else {
      this.summary.imported += 1;
      this.summary.eventsAppended += result.events.length;
    }
    if (this.lastPosition === undefined || result.position > this.lastPosition) this.lastPosition = result.position;
  }

  /** Checks a line as far as it can be checked in file order, then hands it to its handler. */
  private async accept(raw: RawLine): Promise<void> {
    if ('tooLong' in raw) {
      const max = this.options.limits.maxLineBytes;
      this.fail(raw.number, null, new ProblemException(413, 'line-too-long', `The line is ${raw.bytes} bytes long; a line may have at most ${max}.`, { maxLineBytes: max }));
      return;
    }
    if ('invalidUtf8' in raw) {
      this.fail(raw.number, null, new ProblemException(400, 'invalid-utf8', 'The line is not valid UTF-8.'));
      return;
    }
    let line: ImportLine;
    let plan: LinePlan;
    try {
      line = parseImportLine(raw.text, raw.number);
    } catch (error) {
      this.fail(raw.number, keyIn(raw.text), error);
      return;
    }
    const earlier = this.keys.get(line.key);
    if (earlier !== undefined) {
      this.fail(line.line, line.key, new ProblemException(422, 'duplicate-key', `Key ${line.key} is already the key of line ${earlier >> ACTION_BITS} of this import; every line needs its own key.`, { field: 'key' }));
      return;
    }
    this.keys.set(line.key, line.line * (ACTION_MASK + 1) + ACTION_CODE.get(line.action)!);
    const dependsOn: Dependency[] = [];
    let dto: object;
    try {
      plan = planLine(line, this.options.principal);
      const wrong: Array<{ field: string; messages: string[] }> = [];
      for (const ref of plan.references) {
        const entry = this.keys.get(ref.key);
        if (entry === undefined) continue;
        const action = IMPORT_ACTIONS[entry & ACTION_MASK];
        if (action !== ref.action || entry >> ACTION_BITS === line.line) {
          wrong.push({ field: ref.member, messages: [`${ref.member} must be the key of an earlier ${ref.action} line; ${ref.key} is line ${entry >> ACTION_BITS}, a ${action}`] });
        } else {
          dependsOn.push({ member: ref.member, line: entry >> ACTION_BITS, key: ref.key });
        }
      }
      if (wrong.length > 0) throw new RequestValidationException(wrong);
      const failedDep = dependsOn.find((dep) => this.failedLines.has(dep.line));
      if (failedDep) throw referenceFailed(failedDep);
      // The line's depth was bounded as a whole by parseImportLine.
      dto = validBody(plan.dto, plan.body);
    } catch (error) {
      this.fail(line.line, line.key, error, line);
      return;
    }

    const ctx: CommandContext = {
      principal: this.options.principal,
      correlationId: this.options.correlationId,
      causationId: randomUUID(),
      idempotencyKey: importIdempotencyKey(plan.stream, line.key),
      idempotencyScope: 'stream',
      requestHash: lineRequestHash(plan),
    };
    const command = plan.command(dto, ctx);
    const { batcher } = this.options;
    if (!batcher) {
      this.pending.push({ line, outcome: this.options.dispatch(command) });
      await this.flush();
      return;
    }
    const sameBatch = dependsOn.flatMap((dep) => {
      const depCtx = this.batchContexts.get(dep.line);
      return depCtx ? [{ dep, ctx: depCtx }] : [];
    });
    const guard = sameBatch.length === 0 ? undefined : (failed: (ctx: CommandContext) => boolean) => {
      const broken = sameBatch.find((d) => failed(d.ctx));
      if (broken) throw referenceFailed(broken.dep);
    };
    this.batchContexts.set(line.line, ctx);
    this.pending.push({ line, outcome: batcher.hold(ctx, () => this.options.dispatch(command), guard) });
    this.pendingBytes += raw.bytes;
    if (line.action === 'registerParty') this.endsBatch = true;
  }

  private fail(lineNumber: number, key: string | null, error: unknown, line?: ImportLine): void {
    this.summary.failed += 1;
    this.failedLines.add(lineNumber);
    const { status, body } = toProblem(error);
    if (status >= 500) {
      this.fatal ??= error;
      return;
    }
    if (this.summary.errors.length >= this.maxErrors) {
      this.summary.errorsOmitted += 1;
      return;
    }
    const { instance: _instance, ...problem } = body;
    if (problem.field === 'Idempotency-Key') {
      problem.field = 'key';
      problem.detail = `Key ${key} was already imported with different content; a changed line needs a new key.`;
    } else if (line && typeof problem.field === 'string' && MEMBER_FIELD[problem.field] && (line as unknown as Record<string, unknown>)[MEMBER_FIELD[problem.field]] !== undefined) {
      const member = MEMBER_FIELD[problem.field];
      problem.field = member;
      if (status === 404 && !this.keys.has(String((line as unknown as Record<string, unknown>)[member]))) {
        problem.detail += ` (${member} ${String((line as unknown as Record<string, unknown>)[member])} is not the key of an earlier line of this import, nor of a line imported before by ${this.options.principal})`;
      }
    }
    this.summary.errors.push({ line: lineNumber, key, ...problem });
  }
}
