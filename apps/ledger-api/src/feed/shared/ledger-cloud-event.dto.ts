import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LedgerCloudEvent } from '@ledger/contracts';

/** OpenAPI shape of `LedgerCloudEvent` (libs/contracts; JSON Schema in libs/contracts/schemas/ledger-cloud-event.json). */
export class LedgerCloudEventDto implements LedgerCloudEvent {
  @ApiProperty({ enum: ['1.0'] })
  specversion!: '1.0';

  @ApiProperty({ format: 'uuid', description: 'The event id' })
  id!: string;

  @ApiProperty({ example: 'urn:incident-ledger:incident-ledger', description: 'urn:incident-ledger:<LEDGER_ORIGIN>' })
  source!: string;

  @ApiProperty({ example: 'dev.incident-ledger.ClaimMade.v1', description: 'dev.incident-ledger.<stored type>' })
  type!: string;

  @ApiProperty({ example: 'incident/5f0c…', description: 'incident/<id> or party/<id>' })
  subject!: string;

  @ApiProperty({ format: 'date-time', description: 'When the ledger recorded it' })
  time!: string;

  @ApiProperty({ enum: ['application/json'] })
  datacontenttype!: 'application/json';

  @ApiProperty({ example: 'https://incident-ledger.dev/schemas/events/ClaimMade.v1.json' })
  dataschema!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data as stored' })
  data!: unknown;

  @ApiProperty({ example: '1234', description: 'Global position (decimal string): the SSE id and the paged cursor' })
  position!: string;

  @ApiProperty({ example: 'incident-5f0c…' })
  stream!: string;

  @ApiProperty({ example: '3', description: 'Revision within the stream (decimal string)' })
  streamrevision!: string;

  @ApiProperty()
  recordedby!: string;

  @ApiProperty()
  correlationid!: string;

  @ApiProperty()
  causationid!: string;

  @ApiProperty({ description: 'Hex SHA-256 of the event (integrity chain)' })
  hash!: string;

  @ApiPropertyOptional({ description: 'Hash of the previous event of the stream; absent on its first event' })
  prevhash?: string;
}
