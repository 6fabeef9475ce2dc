import { Controller, Get, Inject, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ACCESS_LOG_STREAM } from '@ledger/integrity';
import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import type { AuditedReadRecord } from '../../audit/shared/audited-read.interceptor';
import { Roles } from '../../platform/http/request-context';
import { responseBody } from '../../platform/openapi/api-response-bodies';

export interface AccessLogEntry extends AuditedReadRecord {
  revision: string;
  hash: string;
}

export interface AccessLogPage {
  items: AccessLogEntry[];
  offset: number;
  limit: number;
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/access-log')
export class GetAccessLogController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('access-log')
  @ApiOperation({
    summary: 'Who asked for history, as-of, proofs, verify and export, and when',
    description: 'Oldest first; `offset` is the revision in the access-log stream. Only answered reads are logged (each URL cut to 1,024 characters, `urlTruncated` then set); this read is logged once answered, so it appears in the next one.',
  })
  @ApiOkResponse({ description: '{ items, offset, limit }', ...responseBody('AccessLogPage') })
  async list(@QueryParams() q: PageQueryDto): Promise<AccessLogPage> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const events = await this.store.readStream(ACCESS_LOG_STREAM, { fromRevision: BigInt(offset), maxCount: limit });
    return {
      items: events.map((event) => ({ ...(event.data as AuditedReadRecord), revision: event.revision.toString(), hash: event.metadata.hash as string })),
      offset,
      limit,
    };
  }
}
