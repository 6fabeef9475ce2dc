import type { FastifyReply } from 'fastify';

/**
 * The global position a request's command wrote up to, handed from the endpoint that wrote to the read-your-writes
 * interceptor that waits for it. Held beside the reply, not read back from its headers, so a header rename or a
 * proxy-facing change cannot silently turn read-your-writes off.
 */
const written = new WeakMap<FastifyReply, bigint>();

export const noteWrittenPosition = (reply: FastifyReply, position: bigint): void => {
  written.set(reply, position);
};

export const writtenPosition = (reply: FastifyReply): bigint | undefined => written.get(reply);
