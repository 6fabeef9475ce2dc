import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { CasualtyReportDto } from '../../claims/shared/assertions.dto';
import { ACLED_EVENT_TYPES, ACLED_SUB_EVENT_TYPES, AcledEventType, AcledSubEventType } from '@ledger/domain';
import { MAX_LINE } from '../../claims/shared/values.dto';
import { Optional } from '../../platform/http/dto/optional';

/** ACLED's event type and sub-event type, with free tags beside them; a sub-event type of another type is a 422 (sub-event-type-mismatch). */
export class IncidentCategoryDto {
  @ApiProperty({ enum: ACLED_EVENT_TYPES, example: 'battles', description: "ACLED's event type" })
  @IsIn(ACLED_EVENT_TYPES)
  eventType!: AcledEventType;

  @ApiPropertyOptional({ enum: ACLED_SUB_EVENT_TYPES, example: 'armed-clash', description: "ACLED's sub-event type, one of the event type's" })
  @Optional()
  @IsIn(ACLED_SUB_EVENT_TYPES)
  subEventType?: AcledSubEventType;

  @ApiPropertyOptional({ example: ['ceasefire-violation'], description: 'Free tags for what the taxonomy does not say' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_LINE, { each: true })
  tags?: string[];
}

/** The optional `toll` of an incident report or of its amendment: casualty groups, validated as a claim's. */
export const TollField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: [CasualtyReportDto], description: "The incident's toll by casualty group (side, category, nationality), as the ledger reports it" }),
    Optional(),
    IsArray(),
    ArrayMaxSize(50),
    IsObject({ each: true }),
    ValidateNested({ each: true }),
    Type(() => CasualtyReportDto),
  );
