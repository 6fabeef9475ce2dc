import { Global, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ReadModelProjector } from '@ledger/read-models';
import { LedgerMetrics, RUNNER_STATES } from './ledger-metrics.service';
import { MetricsController } from './metrics.controller';

/**
 * Times every append at the store port (commands, imports, the notary and the access log alike) and reads the
 * projection's position and state at scrape time. The store instance is wrapped in place: every holder of EVENT_STORE
 * already has it, and the port's other methods stay untouched.
 */
@Injectable()
export class StoreAndProjectionMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: LedgerMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projector: ReadModelProjector,
  ) {}

  onModuleInit(): void {
    const { store, metrics } = this;
    const timed = <A extends unknown[], R>(run: (...args: A) => Promise<R>, events: (args: A) => number) =>
      async (...args: A): Promise<R> => {
        const stop = metrics.commitDuration.startTimer();
        try {
          const result = await run(...args);
          stop();
          metrics.appends.inc({ outcome: 'ok' });
          metrics.eventsAppended.inc(events(args));
          return result;
        } catch (error) {
          metrics.appends.inc({ outcome: 'refused' });
          throw error;
        }
      };
    store.append = timed(store.append.bind(store), ([, events]) => events.length);
    store.appendMany = timed(store.appendMany.bind(store), ([writes]) => writes.reduce((n, w) => n + w.events.length, 0));

    metrics.onScrape(async () => {
      const status = this.projector.status();
      metrics.projectionCheckpoint.set(Number(status.checkpoint));
      for (const state of RUNNER_STATES) metrics.projectionState.set({ state }, state === status.state ? 1 : 0);
      try {
        const head = await store.headPosition();
        metrics.projectionLag.set(Math.max(0, Number(head - status.checkpoint)));
      } catch {
        // The store is down: the lag is unknown, and a stale figure would mislead.
        metrics.projectionLag.set(Number.NaN);
      }
    });
  }
}

/** Global: the HTTP hooks, the feed and the store instrumentation all count into the one registry. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: LedgerMetrics, useFactory: () => new LedgerMetrics() }, StoreAndProjectionMetrics],
  exports: [LedgerMetrics],
})
export class MetricsModule {}
