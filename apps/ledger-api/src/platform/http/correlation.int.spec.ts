import { Controller, Get, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { CorrelationId, CorrelationIdInstaller } from './correlation';
import { createHttpAdapter } from './create-http-adapter';

@Controller('c')
class DummyController {
  @Get()
  get(@CorrelationId() correlationId: string) {
    return { correlationId };
  }

  @Post()
  post(@CorrelationId() correlationId: string) {
    return { correlationId };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each([
  ['createHttpAdapter', () => createHttpAdapter({ bodyLimitBytes: 64 }), []],
  // A plain adapter gets the hook from the installer provider during app.init().
  ['CorrelationIdInstaller', () => new FastifyAdapter({ bodyLimit: 64 }), [CorrelationIdInstaller]],
] as const)('correlation ids installed by %s (integration)', (_label, adapter, extraProviders) => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [DummyController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }, ...extraProviders],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(adapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('passes an acceptable X-Correlation-Id to the handler and echoes it', async () => {
    const res = await app.inject({ method: 'GET', url: '/c', headers: { 'x-correlation-id': 'abc-123' } });
    expect(res.json()).toEqual({ correlationId: 'abc-123' });
    expect(res.headers['x-correlation-id']).toBe('abc-123');
  });

  it('generates a UUID when the header is missing or unsafe', async () => {
    for (const headers of [{}, { 'x-correlation-id': 'has spaces in it' }]) {
      const res = await app.inject({ method: 'GET', url: '/c', headers });
      const { correlationId } = res.json();
      expect(correlationId).toMatch(UUID);
      expect(res.headers['x-correlation-id']).toBe(correlationId);
    }
  });

  it('echoes it on responses that never reach a handler', async () => {
    const notFound = await app.inject({ method: 'GET', url: '/missing', headers: { 'x-correlation-id': 'nf-1' } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['x-correlation-id']).toBe('nf-1');
    expect(notFound.json().correlationId).toBe('nf-1');

    const tooLarge = await app.inject({
      method: 'POST',
      url: '/c',
      headers: { 'x-correlation-id': 'big-1', 'content-type': 'application/json' },
      payload: JSON.stringify({ x: 'y'.repeat(100) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['x-correlation-id']).toBe('big-1');
    expect(tooLarge.json().correlationId).toBe('big-1');
  });
});

describe('@CorrelationId() without the hook', () => {
  it('still resolves an id from the header', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [DummyController] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const res = await app.inject({ method: 'GET', url: '/c', headers: { 'x-correlation-id': 'bare-1' } });
      expect(res.json()).toEqual({ correlationId: 'bare-1' });
      const generated = await app.inject({ method: 'GET', url: '/c' });
      expect(generated.json().correlationId).toMatch(UUID);
    } finally {
      await app.close();
    }
  });
});
