import { randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { DomainError, incidentStream } from '@ledger/domain';
import { EventLoopSlice } from '@ledger/event-store';
import { CommandContext } from '../../../application/command-context';
import { PartyDirectory } from '../../../application/party-directory';
import { StreamCommandBatcher } from '../../../application/stream-command.batcher';
import { StreamCommandExecutor, StreamCommandResult } from '../../../application/stream-command.executor';
import { MakeClaimDto } from '../../../claims/make-claim/make-claim.dto';
import { ReportIncidentDto } from '../../../incidents/report-incident/report-incident.dto';
import { RegisterPartyCommand } from '../../../parties/register-party/register-party.command';
import { RegisterPartyHandler } from '../../../parties/register-party/register-party.handler';
import { ProblemDetails, ProblemException } from '../../../platform/problem/problem.exception';
import { toProblem } from '../../../platform/problem/problem-details';
import { bodyCheckOf, isJsonObject } from '../../../platform/problem/compiled-body-check';
import { RequestValidationException, validateJsonBody } from '../../../platform/problem/validation.pipe';
import { DatasetFileError, DatasetHeaderError, readDatasetCsv } from './dataset-csv.reader';
import type { DatasetName } from './dataset-event';
import { DATASET_ROW_UNCHANGED, datasetRowDecider, SyncDatasetRow } from './dataset-row.decider';
import { DATASET_MONITORS, DatasetMappingError, DatasetRelease, DatasetRowPlan, planDatasetRow } from './dataset-row.mapper';

export interface DatasetImportOptions {
  release: DatasetRelease;
  /** Recorded as `recordedBy`. Ids do not depend on it: a row is the same incident whoever imports it. */
  principal: string;
  correlationId: string;
  executor: StreamCommandExecutor;
  parties: PartyDirectory;
  /** Most rows stored in one transaction. */
  batchRows?: number;
  /** Per-row errors listed in the summary; the rest are counted. */
  maxErrors?: number;
  /** A CSV record longer than this stops the import at its line (its fields could not be refused one by one). */
  maxRecordBytes?: number;
  onProgress?: (progress: DatasetImportProgress) => void;
  /** Rows are read, checked and decided in turns of the event loop of at most this long (default EVENT_LOOP_SLICE_MS). */
  sliceMs?: number;
  /** The clock of those turns (tests). */
  now?: () => number;
}

export interface DatasetImportProgress {
  bytes: number;
  rows: number;
}

/** A row that was not imported: where it is in the file, the dataset's id, and the problem, as the HTTP API words them. */
export interface DatasetRowError extends Omit<ProblemDetails, 'instance'> {
  line: number;
  eventId: string | null;
  /** The CSV column at fault, when one is. */
  column?: string;
}

export interface DatasetImportSummary {
  dataset: DatasetName;
  release: DatasetRelease;
  /** CSV records read (the header aside). */
  rows: number;
  /** Rows new to the ledger: an incident and the monitor's claim. */
  created: number;
  /** Rows that changed since an earlier release: one correction of the monitor's claim each. */
  corrected: number;
  /** Rows the ledger already has as they are: nothing written. */
  unchanged: number;
  failed: number;
  partiesRegistered: number;
  eventsAppended: number;
  /** The highest global position written, as a string (64-bit); null when nothing was. */
  lastPosition: string | null;
  errors: DatasetRowError[];
  errorsOmitted: number;
  elapsedMs: number;
}

/** The file could not be read on (a wrong header, an unclosed quote, an oversized record): what was done stays done. */
export class DatasetImportAbortedError extends Error {
  constructor(
    override readonly cause: DatasetHeaderError | DatasetFileError | unknown,
    readonly summary: DatasetImportSummary,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'DatasetImportAbortedError';
  }
}

export const DEFAULT_DATASET_BATCH_ROWS = 500;
const DEFAULT_MAX_ERRORS = 1000;
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

interface PendingRow {
  plan: DatasetRowPlan;
  outcome: Promise<StreamCommandResult>;
}

/** The route's compiled check first (a tenth of the cost); only a body it refuses goes through validation, for the same 400. */
const checkBody = (dto: new () => object, body: object): void => {
  if (!(isJsonObject(body) && bodyCheckOf(dto)?.(body))) validateJsonBody(dto, body as Record<string, unknown>);
};

/**
 * The CSV column a refused body field most likely comes from, so that the error points into the file: the free-text
 * columns are what outgrow the routes' bounds (a title or a place name is made of a few short columns).
 */
const COLUMN_OF_FIELD: Record<DatasetName, Record<string, string>> = {
  acled: { summary: 'notes', 'statement.text': 'notes', title: 'location', 'location.name': 'location', 'assertions.location.name': 'location' },
  'ucdp-ged': { 'statement.text': 'source_article', title: 'conflict_name', 'location.name': 'where_coordinates', 'assertions.location.name': 'where_coordinates' },
};

const columnOf = (dataset: DatasetName, error: unknown): string | undefined => {
  const fields = error instanceof RequestValidationException ? error.errors.map((f) => f.field) : [];
  return fields.map((field) => COLUMN_OF_FIELD[dataset][field]).find((column) => column !== undefined);
};

const rowProblem = (status: number, code: string, detail: string): ProblemException => new ProblemException(status, code, detail);

/**
 * Imports one release of a dataset: each row through datasetRowDecider, in batches stored in one transaction each
 * (the bulk import's batcher and executor), so a new row becomes an incident with the monitor's claim, an unchanged one
 * writes nothing, and a changed one becomes a correction. A row that cannot be read or taken is reported with its line
 * and writes nothing; the rest go on. Rows missing from the release are left as they are (see README).
 */
export class DatasetImportRun {
  private readonly started = Date.now();
  private readonly batcher: StreamCommandBatcher;
  private readonly registerParty: RegisterPartyHandler;
  private readonly batchRows: number;
  private readonly maxErrors: number;
  /** Party ids registered (or found registered) during this run. */
  private readonly partiesSeen = new Set<string>();
  /** eventId -> line of the row that first had it. */
  private readonly rowLines = new Map<string, number>();
  private pending: PendingRow[] = [];
  private bytes = 0;
  private lastPosition: bigint | undefined;
  /** As the bulk import's: requests to the same HTTP thread are served between turns. */
  private readonly slice: EventLoopSlice;
  private readonly summary: Omit<DatasetImportSummary, 'lastPosition' | 'elapsedMs' | 'dataset' | 'release'> = {
    rows: 0,
    created: 0,
    corrected: 0,
    unchanged: 0,
    failed: 0,
    partiesRegistered: 0,
    eventsAppended: 0,
    errors: [],
    errorsOmitted: 0,
  };

  constructor(private readonly options: DatasetImportOptions) {
    this.batcher = new StreamCommandBatcher(options.executor);
    this.registerParty = new RegisterPartyHandler(options.executor, options.parties);
    this.batchRows = Math.max(1, options.batchRows ?? DEFAULT_DATASET_BATCH_ROWS);
    this.maxErrors = Math.max(0, options.maxErrors ?? DEFAULT_MAX_ERRORS);
    this.slice = new EventLoopSlice(options.sliceMs, options.now);
  }

  progress(): DatasetImportProgress {
    return { bytes: this.bytes, rows: this.summary.rows };
  }

  async run(input: Readable): Promise<DatasetImportSummary> {
    const { dataset } = this.options.release;
    let fatal: unknown;
    try {
      await this.ensureParty(DATASET_MONITORS[dataset]);
      const counted = input.pipe(
        new Transform({
          transform: (chunk: Buffer, _encoding, done) => {
            this.bytes += chunk.length;
            done(null, chunk);
          },
        }),
      );
      input.on('error', (error) => counted.destroy(error));
      for await (const row of readDatasetCsv(counted, dataset, { maxRecordBytes: this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES })) {
        this.summary.rows += 1;
        if (!row.ok) {
          const { line, eventId, column, problem } = row.problem;
          this.fail(line, eventId ?? null, rowProblem(400, 'invalid-row', column ? `${column} ${problem}` : problem), column);
        } else {
          await this.accept(row.event.line, row.event.eventId, () => planDatasetRow(row.event, this.options.release));
        }
        this.options.onProgress?.(this.progress());
        if (this.pending.length >= this.batchRows) await this.flush();
        if (this.slice.due) await this.slice.turn();
      }
    } catch (error) {
      fatal = error;
    }
    // Rows read before a broken file are still stored.
    try {
      await this.flush();
    } catch (error) {
      fatal ??= error;
    }
    const summary = this.result();
    if (fatal !== undefined) throw new DatasetImportAbortedError(fatal, summary);
    return summary;
  }

  private result(): DatasetImportSummary {
    return {
      dataset: this.options.release.dataset,
      release: this.options.release,
      ...this.summary,
      errors: [...this.summary.errors].sort((a, b) => a.line - b.line),
      lastPosition: this.lastPosition === undefined ? null : this.lastPosition.toString(),
      elapsedMs: Date.now() - this.started,
    };
  }

  /** Checks a row as far as it can be checked before its stream is read, then holds it for the batch. */
  private async accept(line: number, eventId: string, plan: () => DatasetRowPlan): Promise<void> {
    const earlier = this.rowLines.get(eventId);
    if (earlier !== undefined) {
      this.fail(line, eventId, rowProblem(422, 'duplicate-row', `Row id ${eventId} is already the id of line ${earlier}; a release has each event once.`));
      return;
    }
    this.rowLines.set(eventId, line);
    let planned: DatasetRowPlan;
    try {
      planned = plan();
      // The same bounds and shapes as the routes' bodies: a huge note or title is this row's problem, refused whole.
      checkBody(ReportIncidentDto, planned.report);
      checkBody(MakeClaimDto, planned.claim);
    } catch (error) {
      if (error instanceof DatasetMappingError) {
        this.fail(line, eventId, rowProblem(400, 'invalid-row', `${error.column} ${error.message}`), error.column);
      } else {
        this.fail(line, eventId, error, columnOf(this.options.release.dataset, error));
      }
      return;
    }
    for (const party of planned.parties) {
      if (this.partiesSeen.has(party.partyId)) continue;
      if ((await this.options.parties.registered([party.partyId])).size === 0) {
        // A later row of this batch names the party: the registration is stored before the batch is.
        await this.flush();
        await this.ensureParty(party);
      }
      this.partiesSeen.add(party.partyId);
    }
    const ctx: CommandContext = { principal: this.options.principal, correlationId: this.options.correlationId, causationId: randomUUID() };
    const outcome = this.batcher.hold(ctx, () => this.dispatch(planned, ctx));
    // Awaited in flush(); an import stopped before then must not leave it unhandled.
    outcome.catch(() => undefined);
    this.pending.push({ plan: planned, outcome });
  }

  private async dispatch(plan: DatasetRowPlan, ctx: CommandContext): Promise<StreamCommandResult> {
    const { release } = this.options;
    const named = [plan.claim.partyId, ...plan.parties.map((p) => p.partyId)];
    const command: SyncDatasetRow = {
      type: 'SyncDatasetRow',
      incident: { incidentId: plan.incidentId, ...plan.report },
      claim: { incidentId: plan.incidentId, claimId: plan.claimId, ...plan.claim },
      correction: {
        reason: `Row ${plan.eventId} changed in ${release.name ? `release ${release.name}` : `the release of ${release.publishedAt}`}`,
        statedAt: plan.claim.statedAt,
        source: plan.claim.source,
      },
      knownParties: await this.options.parties.registered(named),
    };
    return this.batcher.execute(incidentStream(plan.incidentId), datasetRowDecider, command, ctx);
  }

  /** Registers a party unless it is registered already (by anyone, with any details: the ledger's registry is not ours to redo). */
  private async ensureParty(party: DatasetRowPlan['parties'][number]): Promise<void> {
    if (this.partiesSeen.has(party.partyId)) return;
    if ((await this.options.parties.registered([party.partyId])).size === 0) {
      const ctx: CommandContext = { principal: this.options.principal, correlationId: this.options.correlationId, causationId: randomUUID() };
      try {
        const result = await this.registerParty.execute(new RegisterPartyCommand(party, ctx));
        this.summary.partiesRegistered += 1;
        this.summary.eventsAppended += result.events.length;
        this.advance(result.position);
      } catch (error) {
        // Registered meanwhile by another writer: as good.
        if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      }
    }
    this.partiesSeen.add(party.partyId);
  }

  /** Stores the held rows and records each one's outcome, in file order. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    await this.batcher.commit(this.slice);
    for (const { plan, outcome } of batch) {
      try {
        const result = await outcome;
        if (result.events.some((e) => e.type === 'ClaimCorrected')) this.summary.corrected += 1;
        else this.summary.created += 1;
        this.summary.eventsAppended += result.events.length;
        this.advance(result.position);
      } catch (error) {
        if (error instanceof DomainError && error.code === DATASET_ROW_UNCHANGED) this.summary.unchanged += 1;
        else this.fail(plan.line, plan.eventId, error);
      }
    }
  }

  private advance(position: bigint): void {
    if (this.lastPosition === undefined || position > this.lastPosition) this.lastPosition = position;
  }

  private fail(line: number, eventId: string | null, error: unknown, column?: string): void {
    const { status, body } = toProblem(error);
    // The store failing is no row's fault: the import stops (what was stored stays).
    if (status >= 500) throw error;
    this.summary.failed += 1;
    if (this.summary.errors.length >= this.maxErrors) {
      this.summary.errorsOmitted += 1;
      return;
    }
    const { instance: _instance, ...problem } = body;
    this.summary.errors.push({ line, eventId, ...(column ? { column } : {}), ...problem });
  }
}
