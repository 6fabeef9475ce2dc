import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { EntriesListQueryDto } from '../shared/entries-list-query.dto';

export class PartyVersionsQueryDto extends EntriesListQueryDto {
  @ApiPropertyOptional({
    description:
      'Only this claim, under its party, with every version and the denials it received: found by its id whatever its place in a long incident (limit and after do not apply; the disagreements stay whole)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  claim?: string;
}
