import { Body, Controller, Get, Inject, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CurrentPrincipal, Public, Roles } from './auth/auth.decorators';
import type { Principal } from './auth/principal.model';
import { loadOrCreateTokenRegistry } from './auth/token.registry';
import { LEDGER_CONFIG, type LedgerConfig, loadLedgerConfig } from './config/ledger-config';
import { CorrelationId } from './http/correlation';
import { createHttpAdapter } from './http/create-http-adapter';
import { setupOpenApi } from './openapi/setup-openapi';
import { LedgerPlatformModule } from './platform.module';

class NoteDto {
  @IsString() text!: string;
}

@Controller('notes')
class NotesController {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  @Public()
  @Get('limits')
  limits() {
    return { bodyLimitBytes: this.config.bodyLimitBytes };
  }

  @Roles('recorder')
  @Post()
  record(@Body() note: NoteDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string) {
    return { text: note.text, recordedBy: principal.id, correlationId };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

describe('LedgerPlatformModule, wired as main.ts would (integration)', () => {
  let cwd: string;
  let app: NestFastifyApplication;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'ledger-platform-'));
    const config = loadLedgerConfig({ LEDGER_BODY_LIMIT_BYTES: '4096' }, cwd);
    const boot = loadOrCreateTokenRegistry(config);
    tokens = Object.fromEntries(
      readFileSync(boot.created!.initialTokensFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('initial-'))
        .map((l) => l.split(/\s+/))
        .map(([, role, token]) => [role, token]),
    );

    const moduleRef = await Test.createTestingModule({
      imports: [LedgerPlatformModule.forRoot({ config, tokens: boot.registry }), NotesModule],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
    setupOpenApi(app, { title: 'Incident Ledger', version: 'test', description: 'test' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('injects the config into feature modules and honours @Public()', async () => {
    const res = await app.inject({ method: 'GET', url: '/notes/limits' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ bodyLimitBytes: 4096 });
  });

  it('runs auth, validation, principal and correlation together', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: { authorization: `Bearer ${tokens.recorder}`, 'x-correlation-id': 'wire-1' },
      payload: { text: 'ceasefire violated' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ text: 'ceasefire violated', recordedBy: 'initial-recorder', correlationId: 'wire-1' });
    expect(res.headers['x-correlation-id']).toBe('wire-1');
  });

  it('checks the token before the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/notes', payload: { nope: 1 } });
    expect(res.statusCode).toBe(401);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: { authorization: `Bearer ${tokens.reader}` },
      payload: { text: 'x' },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('applies the global validation pipe and problem filter', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload: { text: 5, extra: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { field: 'text', messages: ['text must be a string'] },
        { field: 'extra', messages: ['property extra should not exist'] },
      ]),
    );
  });

  it('enforces the configured body limit', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload-too-large', detail: expect.stringContaining('4096 bytes') });
  });

  it('serves the OpenAPI document publicly', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/notes'].post.responses['403']).toBeDefined();
  });
});
