import { Module } from '@nestjs/common';
import { AmendEntryController } from './amend-entry/amend-entry.controller';
import { AmendEntryHandler } from './amend-entry/amend-entry.handler';

@Module({
  controllers: [
    AmendEntryController,
  ],
  providers: [
    AmendEntryHandler,
  ],
})
export class AmendmentsModule {}
