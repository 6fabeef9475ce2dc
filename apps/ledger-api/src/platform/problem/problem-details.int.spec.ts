import { Body, Controller, Get, HttpCode, Logger, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { DomainError, type DomainErrorKind } from '@ledger/domain/shared/domain-error';
import { StoreUnavailableError, WrongExpectedRevisionError } from '@ledger/event-store/event-store.port';
import { createHttpAdapter } from '../http/create-http-adapter';
import { ProblemException } from './problem.exception';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation.pipe';

class EstimateDto {
  @IsInt() @Min(0) best!: number;
  @IsOptional() @IsInt() @Min(0) low?: number;
}
class CasualtyDto {
  @IsString() side!: string;
  @ValidateNested() @Type(() => EstimateDto) killed!: EstimateDto;
}
class AssertionsDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => CasualtyDto) casualties!: CasualtyDto[];
}
class ClaimDto {
  @IsString() @MinLength(3) words!: string;
  @IsObject() @ValidateNested() @Type(() => AssertionsDto) assertions!: AssertionsDto;
}

@Controller('test')
class DummyController {
  @Post('claims')
  @HttpCode(201)
  create(@Body() body: ClaimDto) {
    return { ok: true, isInstance: body instanceof ClaimDto, best: body.assertions.casualties[0]?.killed.best };
  }

  @Get('domain/:kind')
  domain(@Param('kind') kind: DomainErrorKind): never {
    throw new DomainError('claim-not-correctable', `refused (${kind})`, kind, kind === 'rule' ? 'claimId' : undefined);
  }

  @Get('revision/:actual')
  revision(@Param('actual') actual: string): never {
    throw new WrongExpectedRevisionError('incident-1', 3n, actual === 'none' ? undefined : BigInt(actual));
  }

  @Get('store-down')
  storeDown(): never {
    throw new StoreUnavailableError('SQLITE_BUSY', new Error('database is locked'));
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail at /srv/ledger/db.sqlite');
  }

  @Get('not-found')
  notFound(): never {
    throw new NotFoundException('Incident 42 does not exist.');
  }

  @Get('problem')
  problem(): never {
    throw new ProblemException(412, 'revision-mismatch', 'If-Match does not match.', { currentRevision: 7n, type: 'ignored' }, {
      headers: { etag: '"7"' },
    });
  }

  @Get('int/:n')
  int(@Param('n', ParseIntPipe) n: number) {
    return { n };
  }
}

describe('ProblemDetailsFilter over Fastify (integration)', () => {
  let app: NestFastifyApplication;
  const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [DummyController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: () => createValidationPipe() },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter({ bodyLimitBytes: 1024 * 1024 }), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    jest.restoreAllMocks();
  });
  beforeEach(() => errorLog.mockClear());

  const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      type: `https://incident-ledger.dev/problems/${code}`,
      status,
      code,
      title: expect.any(String),
      detail: expect.any(String),
    });
    return body;
  };

  const validClaim = { words: 'Our officer was killed', assertions: { casualties: [{ side: 'az', killed: { best: 1 } }] } };

  it('passes a valid body through as a transformed DTO', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/claims', payload: validClaim });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ ok: true, isInstance: true, best: 1 });
  });

  it('answers a 10 MB body with 413', async () => {
    const payload = JSON.stringify({ words: 'x'.repeat(10 * 1024 * 1024) });
    const res = await app.inject({ method: 'POST', url: '/test/claims', headers: { 'content-type': 'application/json' }, payload });
    const body = expectProblem(res, 413, 'payload-too-large');
    expect(body.detail).toContain('1048576 bytes');
    expect(body.instance).toBe('/test/claims');
  });

  it('answers malformed JSON with 400 invalid-json', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/claims',
      headers: { 'content-type': 'application/json' },
      payload: '{"words": "unterminated',
    });
    expectProblem(res, 400, 'invalid-json');
  });

  it('refuses prototype poisoning as invalid JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/claims',
      headers: { 'content-type': 'application/json' },
      payload: '{"words": "abcd", "__proto__": {"admin": true}}',
    });
    expectProblem(res, 400, 'invalid-json');
  });

  it('answers an empty JSON body with 400 empty-body', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/claims', headers: { 'content-type': 'application/json' }, payload: '' });
    expectProblem(res, 400, 'empty-body');
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'words=hello'],
    ['application/xml', '<claim/>'],
  ])('answers Content-Type %s with 415', async (contentType, payload) => {
    const res = await app.inject({ method: 'POST', url: '/test/claims', headers: { 'content-type': contentType }, payload });
    const body = expectProblem(res, 415, 'unsupported-media-type');
    expect(body.detail).toContain(contentType);
  });

  it('reports nested validation failures with dotted paths and [i] indices', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/claims',
      payload: {
        words: 'ab',
        assertions: { casualties: [{ side: 'az', killed: { best: 1 } }, { side: 7, killed: { best: -2, low: 'x' } }] },
      },
    });
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.title).toBe('Request validation failed');
    expect(body.errors).toEqual([
      { field: 'words', messages: ['words must be longer than or equal to 3 characters'] },
      { field: 'assertions.casualties[1].side', messages: ['side must be a string'] },
      { field: 'assertions.casualties[1].killed.best', messages: ['best must not be less than 0'] },
      { field: 'assertions.casualties[1].killed.low', messages: ['low must not be less than 0', 'low must be an integer number'] },
    ]);
    expect(body.detail).toContain('4 invalid fields');
  });

  it('refuses unknown members instead of dropping them', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/claims',
      payload: { ...validClaim, assertions: { casualties: [{ side: 'az', killed: { best: 1, worst: 9 } }] }, extra: 1 },
    });
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([
      { field: 'extra', messages: ['property extra should not exist'] },
      { field: 'assertions.casualties[0].killed.worst', messages: ['property worst should not exist'] },
    ]);
  });

  it('treats a missing body as an empty object to validate', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/claims' });
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['words', 'assertions']);
  });

  it.each([
    ['not-found', 404, null],
    ['conflict', 409, null],
    ['rule', 422, 'claimId'],
  ])('maps a DomainError of kind %s to %i', async (kind, status, field) => {
    const res = await app.inject({ method: 'GET', url: `/test/domain/${kind}` });
    const body = expectProblem(res, status, 'claim-not-correctable');
    expect(body.detail).toBe(`refused (${kind})`);
    expect(body.field).toBe(field);
  });

  it('maps WrongExpectedRevisionError to 409 with the current revision', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/revision/9007199254740993' });
    const body = expectProblem(res, 409, 'wrong-expected-revision');
    // Beyond 2^53: sent as a string so no precision is lost.
    expect(body.currentRevision).toBe('9007199254740993');
    expect(body.expectedRevision).toBe('3');
  });

  it('reports a missing stream as currentRevision null', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/revision/none' });
    const body = expectProblem(res, 409, 'wrong-expected-revision');
    expect(body.currentRevision).toBeNull();
  });

  it('maps StoreUnavailableError to 503 with Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/store-down' });
    const body = expectProblem(res, 503, 'store-unavailable');
    expect(res.headers['retry-after']).toBe('5');
    expect(body.detail).not.toContain('SQLITE_BUSY');
  });

  it('answers an unexpected error with a generic 500 and logs it', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    const body = expectProblem(res, 500, 'internal-error');
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('at ');
    expect(body.title).toBe('Internal Server Error');
    expect(errorLog).toHaveBeenCalledWith(
      expect.stringContaining('secret internal detail'),
      expect.stringContaining('DummyController.boom'),
    );
  });

  it('keeps the status and message of Nest HttpExceptions', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/not-found' });
    const body = expectProblem(res, 404, 'not-found');
    expect(body.detail).toBe('Incident 42 does not exist.');
    expect(body).not.toHaveProperty('error');
    expect(body).not.toHaveProperty('statusCode');
  });

  it('renders a ProblemException with its extensions and headers, protecting the standard members', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/problem?x=1' });
    const body = expectProblem(res, 412, 'revision-mismatch');
    expect(body).toEqual({
      type: 'https://incident-ledger.dev/problems/revision-mismatch',
      title: 'Precondition Failed',
      status: 412,
      detail: 'If-Match does not match.',
      instance: '/test/problem',
      code: 'revision-mismatch',
      correlationId: expect.any(String),
      currentRevision: '7',
    });
    expect(res.headers.etag).toBe('"7"');
    expect(res.headers['x-correlation-id']).toBe(body.correlationId);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    const body = expectProblem(res, 404, 'not-found');
    expect(body.instance).toBe('/nowhere');
  });

  it('renders built-in pipe failures as 400 problems', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/int/abc' });
    const body = expectProblem(res, 400, 'bad-request');
    expect(body.detail).toContain('numeric string is expected');
  });

  it('puts the correlation id of the request into the problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-correlation-id': 'req-123' } });
    expect(res.json().correlationId).toBe('req-123');
    expect(res.headers['x-correlation-id']).toBe('req-123');
  });
});
