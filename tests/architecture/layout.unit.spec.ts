import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildImportGraph,
  ImportGraph,
  importSpecifiers,
  libDirectionOffenders,
  orphanFiles,
  resolveImport,
  ROOT,
  useCaseCrossings,
} from './import-graph';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the import graph these rules read', () => {
  it('resolves relative paths, the @ledger aliases (whole lib and a path inside it) and leaves packages out', () => {
    const from = join(ROOT, 'apps/ledger-api/src/claims/make-claim/make-claim.handler.ts');
    expect(resolveImport(from, './make-claim.command')).toBe(join(ROOT, 'apps/ledger-api/src/claims/make-claim/make-claim.command.ts'));
    expect(resolveImport(from, '@ledger/domain')).toBe(join(ROOT, 'libs/domain/src/index.ts'));
    expect(resolveImport(from, '@ledger/domain/streams')).toBe(join(ROOT, 'libs/domain/src/streams.ts'));
    expect(resolveImport(from, '@nestjs/common')).toBeUndefined();
    expect(importSpecifiers("import a from './a';\nexport { b } from \"./b\";\nimport './c';\nconst d = require('./d');\nawait import('./e');")).toEqual([
      './a',
      './b',
      './c',
      './d',
      './e',
    ]);
  });
});

describe('layout rules, each shown catching a crossing', () => {
  it('a library importing one above it', () => {
    const graph = graphOf({
      'libs/domain/src/x.ts': ['libs/event-store/src/index.ts'],
      'libs/event-store/src/y.ts': ['libs/domain/src/index.ts', 'libs/integrity/src/index.ts'],
      'libs/integrity/src/z.ts': ['libs/read-models/src/index.ts', 'libs/integrity/src/w.ts'],
    });
    expect(libDirectionOffenders(graph)).toEqual([
      'libs/domain/src/x.ts imports libs/event-store/src/index.ts',
      'libs/integrity/src/z.ts imports libs/read-models/src/index.ts',
    ]);
  });

  it('a use case importing another use case, except a composite taking what it is allowed to', () => {
    const graph = graphOf({
      'apps/ledger-api/src/claims/make-claim/make-claim.handler.ts': [
        'apps/ledger-api/src/claims/deny-claim/deny-claim.dto.ts',
        'apps/ledger-api/src/claims/shared/claim-owner.ts',
        'apps/ledger-api/src/application/stream-command.executor.ts',
      ],
      'apps/ledger-api/src/imports/import-commands/import-dispatch.ts': [
        'apps/ledger-api/src/claims/make-claim/make-claim.handler.ts',
        'apps/ledger-api/src/claims/make-claim/make-claim.controller.ts',
      ],
    });
    expect(useCaseCrossings(graph)).toEqual([
      'apps/ledger-api/src/claims/make-claim/make-claim.handler.ts imports apps/ledger-api/src/claims/deny-claim/deny-claim.dto.ts',
      'apps/ledger-api/src/imports/import-commands/import-dispatch.ts imports apps/ledger-api/src/claims/make-claim/make-claim.controller.ts',
    ]);
  });

  it('a file nothing reaches', () => {
    const graph = graphOf({
      'apps/ledger-api/src/main.ts': ['apps/ledger-api/src/app.module.ts'],
      'apps/ledger-api/src/app.module.ts': [],
      'apps/ledger-api/src/forgotten.ts': ['apps/ledger-api/src/app.module.ts'],
      'libs/domain/src/index.ts': [],
      'libs/domain/src/thing.unit.spec.ts': ['libs/domain/src/only-tested.ts'],
      'libs/domain/src/only-tested.ts': [],
    });
    expect(orphanFiles(graph)).toEqual(['apps/ledger-api/src/forgotten.ts']);
  });
});

describe('layout', () => {
  const graph = buildImportGraph(['apps', 'libs', 'tests', 'bench', 'tools', 'scripts']);

  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(300);
  });

  it('keeps each library to the ones below it: domain <- integrity <- event-store <- read-models <- contracts', () => {
    expect(libDirectionOffenders(graph)).toEqual([]);
  });

  it('keeps each use case folder to itself (what two need lives in the area shared folder or the application layer)', () => {
    expect(useCaseCrossings(graph)).toEqual([]);
  });

  it('has no orphan files', () => {
    expect(orphanFiles(graph)).toEqual([]);
  });

  it('says what a ledger stream is in one place (the domain streams module)', () => {
    const rule = /(LEDGER_STREAM_PREFIXES|PREFIXES)\.some\(|startsWith\(\s*['"`](incident|party)-/;
    const offenders = [...graph.keys()]
      .filter((file) => /^(apps|libs)\//.test(file) && !file.endsWith('.spec.ts') && file !== 'libs/domain/src/streams.ts')
      .filter((file) => rule.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
