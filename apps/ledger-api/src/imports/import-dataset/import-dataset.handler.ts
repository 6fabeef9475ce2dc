import { Readable } from 'node:stream';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { ProjectionHost } from '../../application/projection.host';
import { readModelsAfter, ReadModelsState } from '../shared/import-read-models';
import { DatasetImportRun, DatasetImportSummary } from '../shared/datasets/dataset-import-run';
import { ImportDatasetCommand } from './import-dataset.command';

export type ImportDatasetResult = DatasetImportSummary & { readModels: ReadModelsState };

/** Runs a release through the dataset run (the bulk import's batches), then waits for the read models as an NDJSON import does. */
@CommandHandler(ImportDatasetCommand)
export class ImportDatasetHandler implements ICommandHandler<ImportDatasetCommand, ImportDatasetResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly parties: PartyDirectory,
    private readonly projections: ProjectionHost,
  ) {}

  async execute({ source, release, principal, correlationId }: ImportDatasetCommand): Promise<ImportDatasetResult> {
    const run = new DatasetImportRun({ release, principal, correlationId, executor: this.executor, parties: this.parties });
    const summary = await run.run(source instanceof Readable ? source : Readable.from(source));
    return { ...summary, readModels: await readModelsAfter(this.projections, summary) };
  }
}
