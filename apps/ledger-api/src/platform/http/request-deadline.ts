import type { FastifyRequest } from 'fastify';
import type { IncomingMessage, Server } from 'node:http';

const DEADLINE = Symbol('ledger.requestDeadline');
type Timed = IncomingMessage & { [DEADLINE]?: NodeJS.Timeout };

/**
 * The whole-request timeout (LEDGER_REQUEST_TIMEOUT_MS), kept here instead of Node's `requestTimeout`, which cannot
 * spare one route: a streamed import of a million lines is read only as fast as the ledger stores it, so Node counted
 * the ledger's own back-pressure as a slow client and answered 408 after five minutes of lines already stored. Every
 * other request still has its body cut at the deadline with the same 408 problem (through the server's clientError
 * handler, as Node does); a streamed body is bounded by the idle-socket timeout instead, which a stalled client hits.
 */
/** The part of a Fastify instance used here (see FastifyHookTarget: Nest's adapter types its instance its own way). */
type DeadlineTarget = { server: Server; addHook(name: 'onRequest' | 'onResponse', hook: any): unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any

export const registerRequestDeadline = (fastify: DeadlineTarget, requestTimeoutMs: number): void => {
  if (requestTimeoutMs <= 0) return;
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: unknown, done: () => void) => {
    const raw = request.raw as Timed;
    if (!raw.complete) {
      const timer = setTimeout(() => {
        if (raw.complete || raw.socket.destroyed) return;
        fastify.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), raw.socket);
      }, requestTimeoutMs);
      timer.unref();
      raw[DEADLINE] = timer;
      const clear = () => clearTimeout(timer);
      raw.once('end', clear);
      raw.once('close', clear);
    }
    done();
  });
  // A body never read (a refusal before parsing, an injected request) ends neither way: until the response is sent,
  // when it could still be cut. A timer left running would hold its request for the whole timeout.
  fastify.addHook('onResponse', (request: FastifyRequest, _reply: unknown, done: () => void) => {
    exemptFromRequestDeadline(request);
    done();
  });
};

/** Called by a route that reads its body as a stream under its own bounds: its body has no whole-request deadline. */
export const exemptFromRequestDeadline = (request: FastifyRequest): void => {
  const raw = request.raw as Timed;
  clearTimeout(raw[DEADLINE]);
  raw[DEADLINE] = undefined;
};
