import { Module } from '@nestjs/common';
import { RebuildReadModelsController } from './rebuild-read-models/rebuild-read-models.controller';
import { RebuildReadModelsHandler } from './rebuild-read-models/rebuild-read-models.handler';

@Module({
  controllers: [
    RebuildReadModelsController,
  ],
  providers: [
    RebuildReadModelsHandler,
  ],
})
export class AdminModule {}
