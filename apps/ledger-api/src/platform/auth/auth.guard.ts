import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../problem/problem.exception';
import { IS_PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { hasAnyRole, type Principal, type Role } from './principal.model';
import { TokenRegistry } from './token.registry';

const REALM = 'incident-ledger';
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** The principal of an `Authorization: Bearer` header; a 401 problem when it is missing, malformed, unknown or revoked. */
export function authenticateBearer(header: string | undefined, tokens: TokenRegistry): Principal {
  if (header === undefined || header.trim() === '') {
    throw new ProblemException(401, 'unauthorized', 'This endpoint requires a bearer token (Authorization: Bearer <token>).', {}, {
      title: 'Authentication required',
      headers: { 'www-authenticate': `Bearer realm="${REALM}"` },
    });
  }
  const match = BEARER.exec(header);
  const principal = match ? tokens.authenticate(match[1]) : undefined;
  if (!principal) {
    // RFC 6750 §3.1: say why, without saying which part was wrong.
    throw new ProblemException(401, 'invalid-token', 'The bearer token is malformed, unknown or revoked.', {}, {
      title: 'Invalid token',
      headers: { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
    });
  }
  return principal;
}

/** A 403 problem naming the roles when the principal holds none of `required` (directly or by implication). */
export function requireAnyRole(principal: Principal, required: readonly Role[]): void {
  if (hasAnyRole(principal, required)) return;
  throw new ProblemException(
    403,
    'forbidden',
    `This operation requires the role ${required.join(' or ')}; ${principal.id} has ${principal.roles.join(', ')}.`,
    { requiredRoles: required },
    { title: 'Insufficient role', headers: { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope"` } },
  );
}

/**
 * Deny by default: every route needs a valid bearer token unless marked
 * @Public(). Register globally with `{ provide: APP_GUARD, useClass: AuthGuard }`
 * next to a `TokenRegistry` provider.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // Other transports (none yet) would need their own credentials.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The early-authentication hook has already hashed and looked up this request's token when it let it through.
    const principal = request.principal ?? authenticateBearer(request.headers.authorization, this.tokens);
    request.principal = principal;

    requireAnyRole(principal, this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? []);
    return true;
  }
}
