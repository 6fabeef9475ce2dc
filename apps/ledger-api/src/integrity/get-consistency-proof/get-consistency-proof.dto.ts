import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export class GetConsistencyProofQueryDto {
  @ApiProperty({ description: 'Tree size of the earlier checkpoint' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  first!: number;

  @ApiPropertyOptional({ description: 'Tree size of the later checkpoint; the latest when omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  second?: number;
}
