import { Module } from '@nestjs/common';
import { ImportCommandsController } from './import-commands/import-commands.controller';
import { ImportCommandsHandler } from './import-commands/import-commands.handler';
import { ImportDatasetController } from './import-dataset/import-dataset.controller';
import { ImportDatasetHandler } from './import-dataset/import-dataset.handler';
import { StreamedBodyParser } from './shared/streamed-body.parser';

@Module({
  controllers: [
    ImportCommandsController,
    ImportDatasetController,
  ],
  providers: [
    ImportCommandsHandler,
    ImportDatasetHandler,
    StreamedBodyParser,
  ],
})
export class ImportsModule {}
