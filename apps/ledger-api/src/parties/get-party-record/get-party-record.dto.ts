import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { MAX_ENTRIES_LIMIT } from '@ledger/read-models';
import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';

/** A page of a party's record: incidents in the order the party first spoke in them. Absent both: the whole record. */
export class PartyRecordQueryDto {
  @WholeNumberQuery({ minimum: 1, maximum: MAX_ENTRIES_LIMIT, description: 'incidents per page; absent (and no after): the whole record' })
  limit?: number;

  @ApiPropertyOptional({
    description:
      'the `page.next` value of the previous page: a log position when it ended between incidents, `<position>.<incidentId>.<position>` when it ended inside one; absent: the first page',
    example: '118',
  })
  @IsOptional()
  @Matches(/^\d{1,19}(\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.\d{1,19})?$/, { message: 'after must be the page.next value of a previous page' })
  after?: string;
}
