import { Command } from '@nestjs/cqrs';
import type { ImportCommandsResult } from './import-commands.handler';

/** One bulk import: NDJSON bytes as they arrive, one command per line, recorded on behalf of `principal`. */
export class ImportCommandsCommand extends Command<ImportCommandsResult> {
  constructor(
    readonly source: AsyncIterable<Buffer | string>,
    readonly principal: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
