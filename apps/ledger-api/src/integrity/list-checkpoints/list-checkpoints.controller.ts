import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SignedCheckpoint } from '@ledger/integrity';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { Roles } from '../../platform/http/request-context';
import { NotaryService } from '../notary.service';
import { responseBody } from '../../platform/openapi/api-response-bodies';

/** A page of the signed checkpoints, oldest first, and how many there are. */
export interface CheckpointList {
  items: SignedCheckpoint[];
  /** Checkpoints before this page. */
  offset: number;
  limit: number;
  /** Every checkpoint signed, as the notary has read the log: `offset=total-1` is the latest. */
  total: number;
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/checkpoints')
export class ListCheckpointsController {
  constructor(private readonly notary: NotaryService) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('list-checkpoints')
  @ApiOperation({
    summary: 'The signed checkpoints, oldest first, a page at a time',
    description:
      '`limit` checkpoints (default 50) after the first `offset`; `total` says how many there are, so `offset=total-1` is the latest. ' +
      'A page, not the whole list: one checkpoint a minute while the ledger is written to adds half a million a year, and one signed over a log written without a notary carries the head of every stream.',
  })
  @ApiOkResponse({ description: '{ items, offset, limit, total }', ...responseBody('CheckpointList') })
  async list(@QueryParams() q: PageQueryDto): Promise<CheckpointList> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const { items, total } = await this.notary.checkpointPage(offset, limit);
    return { items, offset, limit, total };
  }
}
