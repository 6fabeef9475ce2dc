import { Module } from '@nestjs/common';
import { GetAsyncApiController } from './get-asyncapi/get-asyncapi.controller';
import { GetEnvelopeSchemaController } from './get-envelope-schema/get-envelope-schema.controller';
import { GetEventSchemaController } from './get-event-schema/get-event-schema.controller';
import { ListEventSchemasController } from './list-event-schemas/list-event-schemas.controller';

@Module({
  controllers: [
    GetAsyncApiController,
    GetEnvelopeSchemaController,
    GetEventSchemaController,
    ListEventSchemasController,
  ],
})
export class ContractsModule {}
