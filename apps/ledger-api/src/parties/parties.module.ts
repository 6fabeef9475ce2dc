import { Module } from '@nestjs/common';
import { GetPartyRecordController } from './get-party-record/get-party-record.controller';
import { ListPartiesController } from './list-parties/list-parties.controller';
import { RegisterPartyController } from './register-party/register-party.controller';
import { GetPartyRecordHandler } from './get-party-record/get-party-record.handler';
import { ListPartiesHandler } from './list-parties/list-parties.handler';
import { RegisterPartyHandler } from './register-party/register-party.handler';

@Module({
  controllers: [
    GetPartyRecordController,
    ListPartiesController,
    RegisterPartyController,
  ],
  providers: [
    GetPartyRecordHandler,
    ListPartiesHandler,
    RegisterPartyHandler,
  ],
})
export class PartiesModule {}
