import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';

export class GetInclusionProofQueryDto {
  @ApiProperty({ description: 'The event to prove, by its event id' })
  @IsUUID()
  eventId!: string;

  @WholeNumberQuery({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The checkpoint to prove it in, by tree size; the latest when omitted' })
  treeSize?: number;
}
