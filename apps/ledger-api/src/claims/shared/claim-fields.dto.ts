import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';
import { PARTY_ID_PATTERN } from './assertions.dto';
import { PointInTimeDto, SourceDto, StatementDto } from './values.dto';

/** What every party utterance carries: who, their words, when they said them, where it was published. */
export class PartyUtteranceDto {
  @ApiProperty({ example: 'azerbaijan-defence-ministry', description: 'The party speaking' })
  @Matches(PARTY_ID_PATTERN)
  partyId!: string;

  @ApiProperty({ type: StatementDto })
  @IsObject()
  @ValidateNested()
  @Type(() => StatementDto)
  statement!: StatementDto;

  @ApiProperty({ type: PointInTimeDto, description: 'When the party said it (stated time)' })
  @IsObject()
  @ValidateNested()
  @Type(() => PointInTimeDto)
  statedAt!: PointInTimeDto;

  @ApiProperty({ type: SourceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SourceDto)
  source!: SourceDto;
}
