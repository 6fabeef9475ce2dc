import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';

export class GetInclusionProofQueryDto {
  @ApiProperty({ description: 'The event to prove, by its event id' })
  @IsUUID()
  eventId!: string;

  @ApiPropertyOptional({ description: 'The checkpoint to prove it in, by tree size; the latest when omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  treeSize?: number;
}
