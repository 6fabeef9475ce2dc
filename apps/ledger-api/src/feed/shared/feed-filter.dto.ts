import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { knownStoredTypes } from '@ledger/domain';
import { PARTY_ID_PATTERN } from '../../claims/shared/assertions.dto';

/** More values than this in one filter is a client bug, and each costs a comparison per event. */
export const MAX_FILTER_VALUES = 100;

/** `?incident=a&incident=b` arrives as an array, `?incident=a` as a string: always a list here. */
const asList = ({ value }: { value: unknown }): unknown => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** The filters both feeds take. Repeat a parameter to OR its values; different parameters AND together. */
export class FeedFilterQueryDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Only events of this incident (its stream). Repeatable: any of them.',
  })
  @IsOptional()
  @Transform(asList)
  @ArrayMaxSize(MAX_FILTER_VALUES)
  @IsUUID('all', { each: true })
  incident?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['karabakh-defense-army'],
    description:
      'Only events of or about this party: its party stream and the registrations of parties affiliated with it; incident ' +
      'events it made (claims, corrections, retractions, denials it gave); denials of its claims; claims answering its ' +
      'claims; amendments of its entries; events whose assertions name it (responsible, ceasefire violator, casualty side). ' +
      'Repeatable: any of them.',
  })
  @IsOptional()
  @Transform(asList)
  @ArrayMaxSize(MAX_FILTER_VALUES)
  @Matches(PARTY_ID_PATTERN, { each: true })
  party?: string[];

  @ApiPropertyOptional({
    type: [String],
    enum: knownStoredTypes(),
    example: ['ClaimMade.v1'],
    description: 'Only events of this stored type (the CloudEvents `type` without its `dev.incident-ledger.` prefix). Repeatable.',
  })
  @IsOptional()
  @Transform(asList)
  @ArrayMaxSize(MAX_FILTER_VALUES)
  @IsIn(knownStoredTypes(), { each: true })
  type?: string[];
}
