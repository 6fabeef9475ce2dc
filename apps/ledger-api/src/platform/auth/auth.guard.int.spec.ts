import { Controller, Get, Post } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createHttpAdapter } from '../http/create-http-adapter';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { CurrentPrincipal, Public, Roles } from './auth.decorators';
import { AuthGuard } from './auth.guard';
import type { Principal } from './principal.model';
import { hashToken, TokenRegistry } from './token.registry';

@Controller('t')
class DummyController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Roles('recorder')
  @Post('claims')
  record(@CurrentPrincipal() principal: Principal) {
    return { recordedBy: principal.id };
  }

  @Roles('auditor')
  @Get('verify')
  verify() {
    return { ok: true };
  }
}

@Public()
@Controller('open')
class PublicController {
  @Get()
  open(@CurrentPrincipal() principal: Principal | undefined) {
    return { principal: principal ?? null };
  }
}

@Roles('admin')
@Controller('admin')
class AdminController {
  @Post('rebuild')
  rebuild() {
    return { ok: true };
  }

  @Roles('reader')
  @Get('status')
  status() {
    return { ok: true };
  }
}

const TOKENS = { reader: 'tok-reader', recorder: 'tok-recorder', auditor: 'tok-auditor', admin: 'tok-admin' } as const;

describe('AuthGuard (integration)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const registry = new TokenRegistry(
      Object.entries(TOKENS).map(([role, token]) => ({
        principal: `${role}-1`,
        roles: [role as keyof typeof TOKENS],
        sha256: hashToken(token),
      })),
    );
    const moduleRef = await Test.createTestingModule({
      controllers: [DummyController, PublicController, AdminController],
      providers: [
        { provide: TokenRegistry, useValue: registry },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter({ bodyLimitBytes: 1024 }), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const call = (method: 'GET' | 'POST', url: string, token?: string, authorization?: string) =>
    app.inject({
      method,
      url,
      headers: authorization !== undefined ? { authorization } : token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers a missing token with 401, WWW-Authenticate: Bearer and a problem body', async () => {
    const res = await call('GET', '/t/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="incident-ledger"');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized', type: 'https://incident-ledger.dev/problems/unauthorized' });
  });

  it.each([
    ['an unknown token', 'Bearer not-a-token'],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a bare token', TOKENS.admin],
    ['two tokens', `Bearer ${TOKENS.admin} ${TOKENS.reader}`],
  ])('answers %s with 401 invalid_token', async (_label, authorization) => {
    const res = await call('GET', '/t/me', undefined, authorization);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="incident-ledger", error="invalid_token"');
    expect(res.json()).toMatchObject({ code: 'invalid-token' });
  });

  it('accepts a valid token and exposes the principal to the handler', async () => {
    const res = await call('GET', '/t/me', TOKENS.reader);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'reader-1', roles: ['reader'] });
  });

  it('accepts the scheme name in any case', async () => {
    const res = await call('GET', '/t/me', undefined, `bearer ${TOKENS.auditor}`);
    expect(res.statusCode).toBe(200);
  });

  it('answers a reader token on a recorder route with 403', async () => {
    const res = await call('POST', '/t/claims', TOKENS.reader);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 403,
      code: 'forbidden',
      requiredRoles: ['recorder'],
      detail: 'This operation requires the role recorder; reader-1 has reader.',
    });
  });

  it.each([
    ['recorder', 'POST', '/t/claims', 201],
    ['admin', 'POST', '/t/claims', 201],
    ['auditor', 'POST', '/t/claims', 403],
    ['auditor', 'GET', '/t/verify', 200],
    ['admin', 'GET', '/t/verify', 200],
    ['recorder', 'GET', '/t/verify', 403],
    ['recorder', 'GET', '/t/me', 200],
    ['reader', 'POST', '/admin/rebuild', 403],
    ['admin', 'POST', '/admin/rebuild', 201],
    ['reader', 'GET', '/admin/status', 200],
  ] as const)('%s: %s %s -> %i', async (role, method, url, status) => {
    const res = await call(method, url, TOKENS[role]);
    expect(res.statusCode).toBe(status);
  });

  it('records the authenticated principal, not anything the client claims', async () => {
    const res = await call('POST', '/t/claims', TOKENS.recorder);
    expect(res.json()).toEqual({ recordedBy: 'recorder-1' });
  });

  it('lets anyone call @Public() routes, on a method or a whole controller', async () => {
    expect((await call('GET', '/t/health')).statusCode).toBe(200);
    const open = await call('GET', '/open');
    expect(open.statusCode).toBe(200);
    expect(open.json()).toEqual({ principal: null });
  });
});
