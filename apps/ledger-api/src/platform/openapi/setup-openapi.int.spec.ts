import { Body, Controller, Get, Post } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiProperty } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Public, Roles } from '../auth/auth.decorators';
import { AuthGuard } from '../auth/auth.guard';
import { TokenRegistry } from '../auth/token.registry';
import { createHttpAdapter } from '../http/create-http-adapter';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { ApiProblemResponse } from './api-problem-response.decorator';
import { DomainProblemDto, ValidationProblemDto } from './problem.dto';
import { setupOpenApi } from './setup-openapi';

class RecordClaimDto {
  @ApiProperty() @IsString() words!: string;
}

@Controller('incidents')
class DummyController {
  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get()
  list() {
    return [];
  }

  @Roles('recorder', 'admin')
  @ApiProblemResponse(400, 'Invalid body', ValidationProblemDto)
  @ApiProblemResponse(422, 'Refused by a ledger rule', DomainProblemDto)
  @Post('claims')
  record(@Body() _body: RecordClaimDto) {
    return { ok: true };
  }
}

describe('setupOpenApi (integration)', () => {
  let app: NestFastifyApplication;
  let doc: Record<string, any>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [DummyController],
      providers: [
        { provide: TokenRegistry, useValue: new TokenRegistry([]) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter({ bodyLimitBytes: 1024 }), { logger: false });
    setupOpenApi(app, { title: 'Incident Ledger', version: '0.1.0', description: 'Who said what about which incident.' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  });
  afterAll(() => app.close());

  it('serves the document without a token, with title and version', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Incident Ledger', version: '0.1.0', description: 'Who said what about which incident.' });
  });

  it('declares the bearer scheme and requires it by default', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('declares the problem schemas once, as components', () => {
    const schemas = doc.components.schemas;
    expect(schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    expect(schemas.Problem.properties.type).toMatchObject({ type: 'string', format: 'uri' });
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['Problem', 'ValidationProblem', 'FieldError', 'DomainProblem', 'RevisionConflictProblem']),
    );
    expect(schemas.ValidationProblem.allOf ?? schemas.ValidationProblem.properties).toBeDefined();
  });

  it('marks @Public() operations as needing no security', () => {
    const op = doc.paths['/incidents/health'].get;
    expect(op.security).toEqual([]);
    expect(op).not.toHaveProperty('x-ledger-public');
    expect(op.responses).not.toHaveProperty('401');
  });

  it('documents 401 on protected operations and 403 plus the roles where @Roles applies', () => {
    const list = doc.paths['/incidents'].get;
    expect(list.security).toBeUndefined();
    expect(list.responses['401'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(list.responses).not.toHaveProperty('403');

    const record = doc.paths['/incidents/claims'].post;
    expect(record.responses['403'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(record.description).toContain('Requires the role recorder or admin');
    expect(record).not.toHaveProperty('x-ledger-roles');
  });

  it('documents problem responses under application/problem+json', () => {
    const responses = doc.paths['/incidents/claims'].post.responses;
    expect(responses['400'].content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/ValidationProblem' } },
    });
    expect(responses['422'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/DomainProblem');
  });

  it('serves interactive docs at /docs without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
    expect(res.body).toContain('<title>Incident Ledger API</title>');

    const init = await app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain('url: "/openapi.json"');
    for (const [asset, type] of [
      ['swagger-ui.css', /^text\/css/],
      ['swagger-ui-bundle.js', /^application\/javascript/],
      ['swagger-ui-standalone-preset.js', /^application\/javascript/],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: `/docs/${asset}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.rawPayload.length).toBeGreaterThan(1000);
    }
    expect((await app.inject({ method: 'GET', url: '/docs/../package.json' })).statusCode).toBe(404);
  });

  it('still guards the API itself', async () => {
    const res = await app.inject({ method: 'GET', url: '/incidents' });
    expect(res.statusCode).toBe(401);
  });
});
