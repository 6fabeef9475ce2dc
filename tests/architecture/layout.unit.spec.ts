import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  applicationLayerOffenders,
  buildImportGraph,
  ImportGraph,
  importSpecifiers,
  libDirectionOffenders,
  orphanFiles,
  resolveImport,
  ROOT,
  unregisteredInModule,
  useCaseCrossings,
  UseCaseFolder,
  useCaseOf,
  useCaseShapeOffenders,
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

  it('the application layer reaching into HTTP or an area', () => {
    const graph = graphOf({
      'apps/ledger-api/src/application/executor.ts': ['apps/ledger-api/src/application/clock.ts', 'apps/ledger-api/src/platform/config/ledger-config.ts'],
      'apps/ledger-api/src/application/mutex.ts': ['apps/ledger-api/src/platform/problem/problem.exception.ts', 'apps/ledger-api/src/claims/shared/values.dto.ts'],
    });
    const packages = (file: string) => (file.endsWith('executor.ts') ? ['@nestjs/common', 'uuid'] : ['fastify']);
    expect(applicationLayerOffenders(graph, packages)).toEqual([
      'apps/ledger-api/src/application/mutex.ts imports apps/ledger-api/src/platform/problem/problem.exception.ts',
      'apps/ledger-api/src/application/mutex.ts imports apps/ledger-api/src/claims/shared/values.dto.ts',
      'apps/ledger-api/src/application/mutex.ts imports fastify',
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

describe('the use-case shape, shown catching each way off it', () => {
  const folder = (files: Record<string, string>): UseCaseFolder => ({ path: 'apps/ledger-api/src/things/do-thing', files });

  it('a write needs its command, its handler and the CommandBus; a read needs none of them and never the QueryBus', () => {
    const write = "@WriteEndpoint({}) create() { return this.commands.execute(new DoThingCommand()); } // CommandBus";
    expect(useCaseShapeOffenders(folder({ 'do-thing.controller.ts': write, 'do-thing.command.ts': '', 'do-thing.handler.ts': '' }))).toEqual([]);
    expect(useCaseShapeOffenders(folder({ 'do-thing.controller.ts': write, 'do-thing.command.ts': '' }))).toEqual([
      'apps/ledger-api/src/things/do-thing writes without a command and its handler',
    ]);
    expect(useCaseShapeOffenders(folder({ 'do-thing.controller.ts': '@Post() create() { this.store.append(); }', 'do-thing.command.ts': '', 'do-thing.handler.ts': '' }))).toEqual([
      'apps/ledger-api/src/things/do-thing do-thing.controller.ts writes without the CommandBus',
    ]);
    expect(useCaseShapeOffenders(folder({ 'get-thing.controller.ts': '@Get() get() { return this.queries.execute(q); } // QueryBus', 'get-thing.handler.ts': '' }))).toEqual([
      'apps/ledger-api/src/things/do-thing get-thing.controller.ts uses the QueryBus',
      'apps/ledger-api/src/things/do-thing a read with a command or handler',
    ]);
    expect(useCaseShapeOffenders(folder({ 'get-thing.query.ts': 'export const f = 1;' }))).toEqual(['apps/ledger-api/src/things/do-thing has no controller']);
  });

  it('a controller or handler its module does not list', () => {
    const moduleSource = '@Module({\n  controllers: [\n    GetThingController,\n  ],\n  providers: [\n    DoThingHandler,\n  ],\n})';
    expect(unregisteredInModule(moduleSource, ['GetThingController', 'DoThingHandler', 'DoThingController'])).toEqual(['DoThingController']);
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

  it('keeps the application layer free of HTTP and of the areas', () => {
    const packages = (file: string) =>
      importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
        .filter((spec) => !spec.startsWith('.'))
        .map((spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    expect([...graph.keys()].some((f) => f.startsWith('apps/ledger-api/src/application/'))).toBe(true);
    expect(applicationLayerOffenders(graph, packages)).toEqual([]);
  });

  it('keeps each use case folder to itself (what two need lives in the area shared folder or the application layer)', () => {
    expect(useCaseCrossings(graph)).toEqual([]);
  });

  it('has no orphan files', () => {
    expect(orphanFiles(graph)).toEqual([]);
  });

  const API = join(ROOT, 'apps/ledger-api/src');
  const useCaseFolders: UseCaseFolder[] = [
    ...new Set([...graph.keys()].map(useCaseOf).filter((u): u is string => u !== undefined)),
  ].map((useCase) => {
    const dir = join(API, useCase);
    const names = readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.spec.ts'));
    return { path: useCase, files: Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')])) };
  });

  it('gives every use case one shape: writes through the CommandBus to a handler, reads straight to their read model', () => {
    expect(useCaseFolders.length).toBeGreaterThanOrEqual(32);
    expect(useCaseFolders.flatMap(useCaseShapeOffenders)).toEqual([]);
  });

  it('lists every controller and handler of an area in that area module, and every area module in AppModule', () => {
    const areas = [...new Set(useCaseFolders.map((f) => f.path.split('/')[0]))];
    const appModule = readFileSync(join(API, 'app.module.ts'), 'utf8');
    const offenders = areas.flatMap((area) => {
      const modulePath = join(API, area, `${area}.module.ts`);
      if (!statSync(modulePath, { throwIfNoEntry: false })) return [`${area} has no ${area}.module.ts`];
      const classes = useCaseFolders
        .filter((f) => f.path.startsWith(`${area}/`))
        .flatMap((f) => Object.entries(f.files).filter(([n]) => /\.(controller|handler)\.ts$/.test(n)))
        .flatMap(([, source]) => [...source.matchAll(/export class (\w+(?:Controller|Handler))\b/g)].map((m) => m[1]));
      const moduleClass = /export class (\w+Module)\b/.exec(readFileSync(modulePath, 'utf8'))?.[1] ?? '?';
      return [
        ...unregisteredInModule(readFileSync(modulePath, 'utf8'), classes).map((c) => `${area}.module.ts does not list ${c}`),
        ...unregisteredInModule(appModule, [moduleClass]).map((m) => `app.module.ts does not import ${m}`),
      ];
    });
    expect(areas.length).toBeGreaterThanOrEqual(10);
    expect(offenders).toEqual([]);
  });

  it('says what a ledger stream is in one place (the domain streams module)', () => {
    const rule = /(LEDGER_STREAM_PREFIXES|PREFIXES)\.some\(|startsWith\(\s*['"`](incident|party)-/;
    const offenders = [...graph.keys()]
      .filter((file) => /^(apps|libs)\//.test(file) && !file.endsWith('.spec.ts') && file !== 'libs/domain/src/streams.ts')
      .filter((file) => rule.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
