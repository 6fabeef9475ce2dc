import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getAs } from './http';

/** The HTTP export and the latest checkpoint, laid out as the standalone verifier reads an export directory. */
export const exportOverHttp = async (app: NestFastifyApplication, token: string): Promise<string> => {
  const res = await app.inject({ method: 'GET', url: '/integrity/export/events', headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('application/x-ndjson');
  const { total } = (await getAs(app, token, '/integrity/checkpoints?limit=1')).body;
  const checkpoints = (await getAs(app, token, `/integrity/checkpoints?offset=${Math.max(0, total - 1)}&limit=1`)).body.items;
  const keys = (await getAs(app, token, '/.well-known/ledger-keys.json')).body;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-http-export-'));
  writeFileSync(join(dir, 'events.jsonl'), res.body);
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ latest: checkpoints.at(-1), keys, consistency: [] }));
  return dir;
};

