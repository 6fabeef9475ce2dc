import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RunnerStatus } from '@ledger/read-models';
import { ProjectionHost } from '../../application/projection.host';
import { RebuildReadModelsCommand } from './rebuild-read-models.command';

@CommandHandler(RebuildReadModelsCommand)
export class RebuildReadModelsHandler implements ICommandHandler<RebuildReadModelsCommand, RunnerStatus> {
  private readonly logger = new Logger('Projections');

  constructor(private readonly projections: ProjectionHost) {}

  async execute({ requestedBy }: RebuildReadModelsCommand): Promise<RunnerStatus> {
    this.logger.log(`Rebuild of the read models requested by ${requestedBy}`);
    return this.projections.rebuild();
  }
}
