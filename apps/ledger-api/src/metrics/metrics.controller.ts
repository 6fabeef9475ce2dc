import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LEDGER_CONFIG, LedgerConfig } from '../platform/config/ledger-config';
import { ApiProblemResponse } from '../platform/openapi/api-problem-response.decorator';
import { Roles } from '../platform/http/request-context';
import { ProblemException } from '../platform/problem/problem.exception';
import { LedgerMetrics } from './ledger-metrics.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: LedgerMetrics,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get()
  @Roles('admin')
  @Header('cache-control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'Prometheus metrics: requests, appends, projection lag and state, event streams, rate-limit rejections',
    description:
      'Prometheus text format. Needs an admin token (a scraper sends it with `authorization: { credentials_file: ... }`): the metrics name routes, principals never. `LEDGER_METRICS=off` answers 404.',
  })
  @ApiOkResponse({ description: 'Prometheus exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblemResponse(404, 'Metrics are turned off (LEDGER_METRICS=off)')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.config.metrics === 'off') throw new ProblemException(404, 'not-found', 'Metrics are turned off on this ledger (LEDGER_METRICS=off).');
    const { contentType, body } = await this.metrics.render();
    reply.header('content-type', contentType);
    return body;
  }
}
