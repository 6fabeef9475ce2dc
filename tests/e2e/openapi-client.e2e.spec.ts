import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

/*
 * A dashboard is built on a client generated from /openapi.json: generate one with openapi-typescript and compile a
 * few typical reads against it, so that a response schema a client cannot use (or a renamed field) fails here.
 */
const USAGE = `
import type { components, paths } from './api';

type Versions = paths['/incidents/{incidentId}/versions']['get']['responses'][200]['content']['application/json'];
export const partiesOf = (v: Versions): string[] => v.parties.map((p) => p.partyId);
export const titleOf = (v: Versions): string | undefined => v.incident?.title;
export const nextPage = (v: Versions): string | null => v.page.next;

type Created = paths['/incidents/{incidentId}/claims']['post']['responses'][201]['content']['application/json'];
export const positionOf = (c: Created): string => c.position;

export const contested = (l: components['schemas']['IncidentList']): string[] => l.items.filter((i) => i.contested).map((i) => i.title);
export const keyIds = (k: components['schemas']['JwkSet']): string[] => k.keys.map((key) => key.kid);
`;

const compile = (dir: string, usage: string): string[] => {
  writeFileSync(join(dir, 'usage.ts'), usage);
  const program = ts.createProgram([join(dir, 'usage.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
};

describe('a client generated from the OpenAPI document (e2e)', () => {
  let t: LedgerTestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startLedger();
    dir = mkdtempSync(join(tmpdir(), 'ledger-openapi-client-'));
    writeFileSync(join(dir, 'openapi.json'), (await t.app.inject({ method: 'GET', url: '/openapi.json' })).body);
    // openapi-typescript is an ES module: run its command line rather than load it into Jest.
    execFileSync(process.execPath, [join(__dirname, '../../node_modules/openapi-typescript/bin/cli.js'), join(dir, 'openapi.json'), '--output', join(dir, 'api.ts')], { stdio: 'pipe' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles typical dashboard reads against the generated types', () => {
    expect(compile(dir, USAGE)).toEqual([]);
  }, 60_000);

  it('fails to compile a read of a field the API does not send', () => {
    const diagnostics = compile(dir, `${USAGE}\nexport const nope = (v: components['schemas']['IncidentListItem']): string => v.headline;\n`);
    expect(diagnostics.join('\n')).toMatch(/Property 'headline' does not exist/);
  }, 60_000);
});
