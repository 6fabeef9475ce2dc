import { Module } from '@nestjs/common';
import { GetPartyRecordController } from './get-party-record/get-party-record.controller';
import { ListPartiesController } from './list-parties/list-parties.controller';
import { RegisterPartyController } from './register-party/register-party.controller';
import { RegisterPartyHandler } from './register-party/register-party.handler';

@Module({
  controllers: [
    GetPartyRecordController,
    ListPartiesController,
    RegisterPartyController,
  ],
  providers: [
    RegisterPartyHandler,
  ],
})
export class PartiesModule {}
