import { Module } from '@nestjs/common';
import { ImportCommandsController } from './import-commands/import-commands.controller';
import { ImportCommandsHandler } from './import-commands/import-commands.handler';
import { NdjsonBodyParser } from './import-commands/ndjson-body.parser';

@Module({
  controllers: [
    ImportCommandsController,
  ],
  providers: [
    ImportCommandsHandler,
    NdjsonBodyParser,
  ],
})
export class ImportsModule {}
