import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ReadModelProjector, RunnerStatus } from '@ledger/read-models';
import { RebuildReadModelsCommand } from './rebuild-read-models.command';

@CommandHandler(RebuildReadModelsCommand)
export class RebuildReadModelsHandler implements ICommandHandler<RebuildReadModelsCommand, RunnerStatus> {
  private readonly logger = new Logger('Projections');

  constructor(private readonly runner: ReadModelProjector) {}

  async execute({ requestedBy }: RebuildReadModelsCommand): Promise<RunnerStatus> {
    this.logger.log(`Rebuild of the read models requested by ${requestedBy}`);
    await this.runner.rebuild();
    return this.runner.status();
  }
}
