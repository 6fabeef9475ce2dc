import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Principal, Role } from './principal.model';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by AuthGuard once a bearer token is accepted. */
    principal?: Principal;
  }
}

export const IS_PUBLIC_KEY = 'ledger:auth:public';
/**
 * Fastify route config set by @Roles on a method, holding its roles: the early authentication hook refuses such a
 * request without a valid token, or with a token lacking those roles, before its body is read.
 */
export const AUTH_REQUIRED_ROUTE_CONFIG = 'ledgerAuthRequired';
export const ROLES_KEY = 'ledger:auth:roles';

/** OpenAPI extensions read by setupOpenApi to document security per operation. */
export const OPENAPI_PUBLIC_EXTENSION = 'x-ledger-public';
export const OPENAPI_ROLES_EXTENSION = 'x-ledger-roles';

/** No bearer token needed (health, docs). On a method or a whole controller. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(OPENAPI_PUBLIC_EXTENSION, true));

/**
 * The caller needs at least one of these roles (admin implies all, recorder
 * and auditor imply reader). A method's @Roles replaces its controller's.
 * Without @Roles any authenticated principal passes.
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension(OPENAPI_ROLES_EXTENSION, roles), RouteConfig({ [AUTH_REQUIRED_ROUTE_CONFIG]: roles }));

/** `handle(@CurrentPrincipal() principal: Principal)`; undefined on @Public() routes. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined => ctx.switchToHttp().getRequest<FastifyRequest>().principal,
);
