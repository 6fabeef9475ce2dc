import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { AUTH_REQUIRED_ROUTE_CONFIG } from './auth.decorators';
import { authenticateBearer, requireAnyRole } from './auth.guard';
import type { Role } from './principal.model';
import type { TokenRegistry } from './token.registry';

/**
 * A preParsing hook: after the onRequest hooks (correlation id, the request log) and before Fastify reads a body: a request to a route that needs a role (@Roles) without a valid
 * bearer token, or with one lacking the role, is refused at once with the guard's 401 or 403 and `Connection: close`
 * (so that a refused caller never meets a body parser's 400 or 415, nor has a large body read), and its socket goes once the answer is
 * flushed, so a client trickling a body without credentials holds nothing. A valid token sets `request.principal`
 * early, for the rate limiter and the request log. The AuthGuard stays the authority (roles, @Public, routes whose
 * @Roles sits on the class); this only refuses earlier what it would refuse anyway.
 */
export function installEarlyAuthentication(fastify: FastifyInstance, tokens: () => TokenRegistry): void {
  fastify.addHook('preParsing', (request: FastifyRequest, reply: FastifyReply, payload: RequestPayload, done: (error: Error | null, payload?: RequestPayload) => void) => {
    const header = request.headers.authorization;
    const roles = (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[AUTH_REQUIRED_ROUTE_CONFIG] as Role[] | undefined;
    const required = Array.isArray(roles);
    if (header === undefined && !required) return done(null, payload);
    try {
      request.principal = authenticateBearer(header, tokens());
      if (required) requireAnyRole(request.principal, roles);
    } catch (error) {
      // A public route ignores a bad token, as the guard does.
      if (!required) return done(null, payload);
      reply.header('connection', 'close');
      return done(error as Error);
    }
    done(null, payload);
  });
}
