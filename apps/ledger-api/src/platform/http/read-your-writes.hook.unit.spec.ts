import Fastify from 'fastify';
import { installReadYourWrites } from './read-your-writes.hook';
import { noteWrittenPosition } from './written-position';

describe('read-your-writes hook: a write answers once the read models show it, or says they do not yet', () => {
  const serve = (readModelsAt: bigint) => {
    const waitedFor: bigint[] = [];
    const fastify = Fastify();
    installReadYourWrites(fastify, {
      caughtUpTo: async (position) => {
        waitedFor.push(position);
        return position <= readModelsAt;
      },
    });
    fastify.post('/write/:position', async (request, reply) => {
      noteWrittenPosition(reply, BigInt((request.params as { position: string }).position));
      return reply.status(201).send({ written: true });
    });
    fastify.get('/read', async () => ({ read: true }));
    return { fastify, waitedFor };
  };

  it('waits for the written position and says current when the read models reached it, pending when not', async () => {
    const { fastify, waitedFor } = serve(10n);
    const current = await fastify.inject({ method: 'POST', url: '/write/7' });
    expect([current.statusCode, current.headers['read-models'], current.json()]).toEqual([201, 'current', { written: true }]);
    const pending = await fastify.inject({ method: 'POST', url: '/write/11' });
    expect([pending.statusCode, pending.headers['read-models'], pending.json()]).toEqual([201, 'pending', { written: true }]);
    expect(waitedFor).toEqual([7n, 11n]);
  });

  it('leaves answers that wrote nothing alone', async () => {
    const { fastify, waitedFor } = serve(0n);
    const read = await fastify.inject({ method: 'GET', url: '/read' });
    expect([read.statusCode, read.headers['read-models'], read.json()]).toEqual([200, undefined, { read: true }]);
    expect(waitedFor).toEqual([]);
  });
});
