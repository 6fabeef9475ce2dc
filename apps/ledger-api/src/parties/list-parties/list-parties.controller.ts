import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PartyRecordDoc } from '@ledger/read-models';
import { Roles } from '../../platform/http/request-context';
import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { ListPartiesQuery } from './list-parties.query';

@ApiTags('parties')
@ApiBearerAuth()
@Controller('parties')
export class ListPartiesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Registered parties with their record counts; paginated' })
  @ApiOkResponse({ description: '{ items, total, limit, offset }' })
  list(@QueryParams() q: PageQueryDto): Promise<Page<PartyRecordDoc>> {
    return this.queries.execute(new ListPartiesQuery({ limit: q.limit, offset: q.offset }));
  }
}
