import { Command } from '@nestjs/cqrs';
import { RunnerStatus } from '@ledger/read-models';

export class RebuildReadModelsCommand extends Command<RunnerStatus> {
  constructor(readonly requestedBy: string) {
    super();
  }
}
