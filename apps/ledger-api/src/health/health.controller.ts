import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ProjectionHost } from '../application/projection.host';
import { NotaryService } from '../integrity/notary.service';
import { Public } from '../platform/http/request-context';
import { ProblemException } from '../platform/problem';
import { EventLoopDelay } from './event-loop-delay.service';
import { Readiness, ReadinessService } from './readiness.service';
import { responseBody } from '../platform/openapi/api-response-bodies';

/** How soon an orchestrator may ask again when the ledger is not ready. */
const NOT_READY_RETRY_AFTER_SECONDS = 5;

/** How long the event loop took to come back to this request, in ms: a loop that answers at all is live. */
const loopTurnaround = (): Promise<number> => {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => setImmediate(() => resolve(Number(process.hrtime.bigint() - started) / 1e6)));
};

/** `GET /health/live`: the process answers and how long its event loop took to come round. */
export interface Liveness {
  status: 'ok';
  uptimeSeconds: number;
  eventLoopTurnaroundMs: number;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ProjectionHost,
    private readonly loop: EventLoopDelay,
    private readonly readiness: ReadinessService,
    private readonly notary: NotaryService,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({
    summary: 'Liveness: the process is up and its event loop turns (200 whenever it answers)',
    description: 'For a liveness probe: it never depends on the store or the read models, so a restart is never asked for what a restart cannot fix.',
  })
  @ApiOkResponse(responseBody('Liveness'))
  async live(): Promise<Liveness> {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()), eventLoopTurnaroundMs: Math.round((await loopTurnaround()) * 100) / 100 };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: 200 when the ledger can take traffic, else 503 problem+json naming each reason',
    description:
      'Not ready while the read models start, rebuild or are failed (with the next retry), while a write has waited longer than ' +
      'LEDGER_READY_MAX_LAG_MS for them (`read-models-behind`) or they have not moved for that long while behind (`read-models-stuck`), ' +
      'while the event store is unreachable, or while the data directory refuses writes (a full disk). Answered from state sampled ' +
      'every second, without I/O.',
  })
  @ApiOkResponse(responseBody('Readiness'))
  ready(): Readiness {
    const readiness = this.readiness.readiness();
    if (readiness.ready) return readiness;
    throw new ProblemException(
      503,
      'not-ready',
      `Not ready: ${readiness.reasons.map((r) => r.detail).join('; ')}.`,
      { ...readiness },
      { title: 'Not ready', headers: { 'retry-after': String(NOT_READY_RETRY_AFTER_SECONDS) } },
    );
  }

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary: 'Every component (event store, read models, readiness, event-loop delay); 503 exactly when /health/ready is',
    description:
      'The verdict of /health/ready (`readiness` lists its reasons) with the per-component report existing monitors read. ' +
      '`eventLoop` (always up) is how late the HTTP thread ran its timers since the previous /health reading: p50, p99, max and mean in ms, and the window (`sinceMs`); each reading starts a new window. ' +
      '`notary` (always up): `state` (starting, following, restarting), `tree` (kept in the data directory or throwaway), `leaves`, `followedTo` (the log position it has read to; the head once caught up), `snapshotAt` and `refusing` (true when it will not sign because an event failed its hash; which one, the log and verify say).',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      // This report reads the store anyway: the readiness verdict it carries is sampled now, not up to a second ago.
      await this.readiness.sample();
      return await this.health.check([
        () => this.eventStore(),
        () => this.projections(),
        () => this.readinessIndicator(),
        () => this.eventLoop(),
        () => this.notaryIndicator(),
      ]);
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

  private readinessIndicator() {
    const indicator = this.indicators.check('readiness');
    const { ready, reasons, readModels } = this.readiness.readiness();
    const details = { reasons, lagMs: readModels.lagMs, supervision: readModels.supervision };
    return ready ? indicator.up(details) : indicator.down(details);
  }

  /** Always up: proofs and checkpoints wait for a notary catching up, and readiness is about writes and reads. */
  private notaryIndicator() {
    return this.indicators.check('notary').up({ ...this.notary.status() });
  }

  private eventLoop() {
    return this.indicators.check('eventLoop').up({ ...this.loop.read() });
  }

  private async projections() {
    const indicator = this.indicators.check('projections');
    const status = this.readModels.runner.status();
    const location = this.readModels.location();
    const details = {
      store: location.store,
      ...('schema' in location ? { schema: location.schema } : {}),
      state: status.state,
      checkpoint: status.checkpoint.toString(),
      caughtUp: status.caughtUp,
      lastError: status.lastError,
    };
    return status.state === 'failed' || status.state === 'stopped' ? indicator.down(details) : indicator.up(details);
  }
}
