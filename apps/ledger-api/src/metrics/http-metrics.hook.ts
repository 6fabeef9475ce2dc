import type { FastifyInstance } from 'fastify';
import type { LedgerMetrics } from './ledger-metrics.service';

/**
 * Counts and times every answered request by its route pattern (`/incidents/:incidentId`, never the ids themselves,
 * so the label set stays bounded); requests that matched no route share `unmatched`. Streams taken over by their
 * handler (the live feed) are counted by the feed's own metrics instead.
 */
export function installHttpMetrics(fastify: FastifyInstance, metrics: LedgerMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'), status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
