import { Command } from '@nestjs/cqrs';
import type { DatasetRelease } from '../shared/datasets/dataset-row.mapper';
import type { ImportDatasetResult } from './import-dataset.handler';

/** One release of a conflict-event dataset: its CSV bytes as they arrive, recorded on behalf of `principal`. */
export class ImportDatasetCommand extends Command<ImportDatasetResult> {
  constructor(
    readonly source: NodeJS.ReadableStream & AsyncIterable<Buffer>,
    readonly release: DatasetRelease,
    readonly principal: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
