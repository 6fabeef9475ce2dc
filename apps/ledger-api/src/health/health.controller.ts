import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ReadModelProjector } from '@ledger/read-models';
import { Public } from '../platform/http/request-context';
import { EventLoopDelay } from './event-loop-delay.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ReadModelProjector,
    private readonly loop: EventLoopDelay,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary: 'Event store reachability and read-model progress (503 when either is down), and the event-loop delay',
    description:
      '`eventLoop` (always up) is how late the HTTP thread ran its timers since the previous /health reading: p50, p99, max and mean in ms, and the window (`sinceMs`); each reading starts a new window.',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.eventStore(), () => this.projections(), () => this.eventLoop()]);
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

  private eventLoop() {
    return this.indicators.check('eventLoop').up({ ...this.loop.read() });
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
