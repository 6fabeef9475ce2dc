import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { FieldErrorDto } from '../../platform/openapi/problem.dto';
import { IMPORT_ACTIONS } from './import-line';
import { ImportReadModelsDto } from '../shared/import-read-models.dto';

/** One NDJSON line, documented for readers of /docs; lines are checked by the import-line parser, not by this class. */
@ApiSchema({ name: 'ImportLine', description: 'One line of an NDJSON import (one JSON object per line).' })
export class ImportLineDto {
  @ApiProperty({ example: 'claim-az-mod-1', description: "The line's idempotency key (1 to 255 visible ASCII characters), unique in the import" })
  key!: string;

  @ApiProperty({ enum: IMPORT_ACTIONS, example: 'makeClaim' })
  action!: string;

  @ApiPropertyOptional({ example: 'incident-1', description: 'Key of an earlier reportIncident line (this or any earlier import by the same principal)' })
  incident?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Id of an existing incident (instead of incident)' })
  incidentId?: string;

  @ApiPropertyOptional({ example: 'claim-az-mod-1', description: 'Key of the makeClaim line of the claim (deny, correct, retract, amend)' })
  claim?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Id of an existing claim (instead of claim)' })
  claimId?: string;

  @ApiPropertyOptional({ description: 'amendEntry of a denial: key of the denyClaim line (fills body.entry.denialId)' })
  denial?: string;

  @ApiPropertyOptional({ type: [String], description: 'makeClaim: keys of makeClaim lines of the same incident that this claim answers (added to body.answers)' })
  answers?: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Exactly the JSON body of the matching route (POST /parties, /incidents, …/claims, …/denials, …/corrections, …/retraction, …/amendments)' })
  body!: Record<string, unknown>;
}

@ApiSchema({ name: 'ImportLineError', description: 'A line that was not imported, with the problem its HTTP route would have answered.' })
export class ImportLineErrorDto {
  @ApiProperty({ example: 12, description: 'Line number in the body, from 1 (blank lines count)' })
  line!: number;

  @ApiProperty({ type: String, nullable: true, example: 'claim-12' })
  key!: string | null;

  @ApiProperty({ example: 'https://incident-ledger.dev/problems/validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Request validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has 1 invalid field: statedAt.at.' })
  detail!: string;

  @ApiProperty({ example: 'validation-failed' })
  code!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'claim', description: 'The member at fault, for a refusal by a ledger rule or a reference' })
  field?: string | null;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every invalid field, as the route would name it' })
  errors?: FieldErrorDto[];
}

@ApiSchema({ name: 'ImportSummary' })
export class ImportSummaryDto {
  @ApiProperty({ example: 120, description: 'Non-blank lines read' })
  lines!: number;

  @ApiProperty({ example: 110 })
  imported!: number;

  @ApiProperty({ example: 7, description: 'Lines already imported earlier with the same key and content: nothing appended' })
  replayed!: number;

  @ApiProperty({ example: 3 })
  failed!: number;

  @ApiProperty({ example: 110 })
  eventsAppended!: number;

  @ApiProperty({ type: String, nullable: true, example: '1234', description: 'Highest global position written or replayed by the import' })
  lastPosition!: string | null;

  @ApiProperty({ type: ImportReadModelsDto })
  readModels!: ImportReadModelsDto;

  @ApiProperty({ type: [ImportLineErrorDto], description: 'The first 1000 failed lines, in the order they failed' })
  errors!: ImportLineErrorDto[];

  @ApiProperty({ example: 0, description: 'Failed lines beyond those listed' })
  errorsOmitted!: number;

  @ApiProperty({ example: 812 })
  elapsedMs!: number;
}
