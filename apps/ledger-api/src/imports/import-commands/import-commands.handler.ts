import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../application/clock';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandBatcher } from '../../application/stream-command.batcher';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { ProjectionHost } from '../../application/projection.host';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform/config/ledger-config';
import { ImportCommandsCommand } from './import-commands.command';
import { dispatchToHandlers } from './import-dispatch';
import { ImportRun, ImportSummary } from './import-run';
import { readModelsAfter, ReadModelsState } from '../shared/import-read-models';

export type ImportCommandsResult = ImportSummary & { readModels: ReadModelsState };

/**
 * Runs every line through the handlers of its single-command route (built
 * over a batcher, so that lines are stored in batches), hence the same
 * executor and decider, then waits for the read models as a single command does.
 */
@CommandHandler(ImportCommandsCommand)
export class ImportCommandsHandler implements ICommandHandler<ImportCommandsCommand, ImportCommandsResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
    private readonly projections: ProjectionHost,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly clock: Clock,
  ) {}

  async execute({ source, principal, correlationId }: ImportCommandsCommand): Promise<ImportCommandsResult> {
    const batcher = new StreamCommandBatcher(this.executor);
    const run = new ImportRun({ principal, correlationId, dispatch: dispatchToHandlers(batcher, this.parties, this.clock), batcher, limits: this.config.imports });
    const summary = await run.run(source);
    return { ...summary, readModels: await readModelsAfter(this.projections, summary) };
  }
}
