import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ReadModelProjector } from '@ledger/read-models';
import { Public } from '../platform/http/request-context';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ReadModelProjector,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Event store reachability and read-model progress; 503 when either is down' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.eventStore(), () => this.projections()]);
    } catch (error) {
      // Load balancers and operators read the same per-component report when it is down, not a generic problem.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private async eventStore() {
    const indicator = this.indicators.check('eventStore');
    try {
      await this.store.ping();
      return indicator.up({ headPosition: (await this.store.headPosition()).toString() });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async projections() {
    const indicator = this.indicators.check('projections');
    const status = this.runner.status();
    const details = {
      state: status.state,
      checkpoint: status.checkpoint.toString(),
      caughtUp: status.caughtUp,
      lastError: status.lastError,
    };
    return status.state === 'failed' || status.state === 'stopped' ? indicator.down(details) : indicator.up(details);
  }
}
