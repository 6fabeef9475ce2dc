import { Module } from '@nestjs/common';
import { ReadModelStatusController } from './read-model-status/read-model-status.controller';
import { RebuildReadModelsController } from './rebuild-read-models/rebuild-read-models.controller';
import { RebuildReadModelsHandler } from './rebuild-read-models/rebuild-read-models.handler';

@Module({
  controllers: [
    RebuildReadModelsController,
    ReadModelStatusController,
  ],
  providers: [
    RebuildReadModelsHandler,
  ],
})
export class AdminModule {}
