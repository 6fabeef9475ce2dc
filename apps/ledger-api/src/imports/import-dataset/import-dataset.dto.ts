import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { FieldErrorDto } from '../../platform/openapi/problem.dto';
import { ImportReadModelsDto } from '../shared/import-read-models.dto';

export const DATASET_LAYOUTS = ['acled', 'ucdp-ged'] as const;

export class ImportDatasetParamsDto {
  @ApiProperty({ enum: DATASET_LAYOUTS, description: "The dataset whose published CSV layout the body has" })
  @IsIn(DATASET_LAYOUTS)
  dataset!: (typeof DATASET_LAYOUTS)[number];
}

export class ImportDatasetQueryDto {
  @ApiPropertyOptional({ example: '24.1', description: "The release's name, quoted in each claim's source" })
  @IsOptional()
  @Matches(/^[\x20-\x7e]{1,64}$/, { message: 'release must be 1 to 64 printable ASCII characters' })
  release?: string;

  @ApiPropertyOptional({ example: '2024-06-10', description: 'When the release was published (default: today): the stated time of rows without their own' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'released must be a date, YYYY-MM-DD' })
  released?: string;
}

@ApiSchema({ name: 'DatasetRelease' })
export class DatasetReleaseDto {
  @ApiProperty({ enum: DATASET_LAYOUTS })
  dataset!: string;

  @ApiPropertyOptional({ example: '24.1' })
  name?: string;

  @ApiProperty({ example: '2024-06-10' })
  publishedAt!: string;
}

@ApiSchema({ name: 'DatasetRowError', description: 'A row that was not imported: its line, the dataset id, the column at fault and the problem.' })
export class DatasetRowErrorDto {
  @ApiProperty({ example: 4, description: 'Line of the CSV where the row ends, from 1 (the header is line 1)' })
  line!: number;

  @ApiProperty({ type: String, nullable: true, example: 'AZE1003', description: "The row's id in the dataset, when it could be read" })
  eventId!: string | null;

  @ApiPropertyOptional({ example: 'event_date' })
  column?: string;

  @ApiProperty({ example: 'https://incident-ledger.dev/problems/invalid-row' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'event_date "2019-06-31" is not a calendar date' })
  detail!: string;

  @ApiProperty({ example: 'invalid-row' })
  code!: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The member at fault, for a refusal by a ledger rule' })
  field?: string | null;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every invalid field of the entries the row became' })
  errors?: FieldErrorDto[];
}

@ApiSchema({ name: 'DatasetImportSummary' })
export class DatasetImportSummaryDto {
  @ApiProperty({ enum: DATASET_LAYOUTS })
  dataset!: string;

  @ApiProperty({ type: DatasetReleaseDto })
  release!: DatasetReleaseDto;

  @ApiProperty({ example: 3, description: 'CSV records read (the header aside)' })
  rows!: number;

  @ApiProperty({ example: 1, description: "Rows new to the ledger: an incident and the monitor's claim each" })
  created!: number;

  @ApiProperty({ example: 1, description: "Rows changed since an earlier release: one correction of the monitor's claim each" })
  corrected!: number;

  @ApiProperty({ example: 1, description: 'Rows the ledger already has as they are: nothing written' })
  unchanged!: number;

  @ApiProperty({ example: 0 })
  failed!: number;

  @ApiProperty({ example: 0 })
  partiesRegistered!: number;

  @ApiProperty({ example: 3 })
  eventsAppended!: number;

  @ApiProperty({ type: String, nullable: true, example: '1234', description: 'Highest global position written' })
  lastPosition!: string | null;

  @ApiProperty({ type: ImportReadModelsDto })
  readModels!: ImportReadModelsDto;

  @ApiProperty({ type: [DatasetRowErrorDto], description: 'The first 1000 failed rows, in line order' })
  errors!: DatasetRowErrorDto[];

  @ApiProperty({ example: 0, description: 'Failed rows beyond those listed' })
  errorsOmitted!: number;

  @ApiProperty({ example: 40 })
  elapsedMs!: number;
}
