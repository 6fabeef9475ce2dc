import type { FastifyInstance } from 'fastify';
import { latencyTraceOn, trace, traceNow } from '@ledger/event-store';
import { writtenPosition } from './written-position';

/**
 * A recorder who writes and then reads expects to see the write. Commands answer only once the read models reached
 * the command's position, or say in `Read-Models: pending` that they did not in time.
 *
 * A Fastify preSerialization hook rather than a global Nest interceptor: an interceptor costs every request of every
 * route an RxJS pipeline and two AsyncResource bindings, and only writes have anything to wait for.
 */
export function installReadYourWrites(fastify: FastifyInstance, projections: { caughtUpTo(position: bigint): Promise<boolean> }): void {
  fastify.addHook('preSerialization', (_request, reply, payload, done) => {
    const position = writtenPosition(reply);
    if (position === undefined) {
      done(null, payload);
      return;
    }
    const tWait = latencyTraceOn ? traceNow() : 0;
    // caughtUpTo never rejects: the write is committed whatever the read models say.
    void projections.caughtUpTo(position).then((upToDate) => {
      if (latencyTraceOn) trace('readYourWrites', { pos: Number(position), tWait, tCaughtUp: traceNow() });
      reply.header('Read-Models', upToDate ? 'current' : 'pending');
      done(null, payload);
    });
  });
  if (latencyTraceOn) {
    fastify.addHook('onResponse', (_request, reply, done) => {
      const position = writtenPosition(reply);
      if (position !== undefined) {
        const tSent = traceNow();
        trace('response', { pos: Number(position), tReceived: tSent - reply.elapsedTime, tSent });
      }
      done();
    });
  }
}
