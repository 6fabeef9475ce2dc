import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EVENT_TYPES, knownStoredTypes } from '@ledger/domain';
import { ROOT, importSpecifiers } from './import-graph';


const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });

const importsOf = (file: string): string[] => importSpecifiers(readFileSync(file, 'utf8'));

const rel = (file: string): string => relative(ROOT, file);

const codeFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'results') return [];
    if (statSync(path).isDirectory()) return codeFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });

/** Packages (not paths inside them, not Node's own modules, not the @ledger/* path aliases) a file imports or requires. */
const packagesImportedBy = (file: string): string[] => {
  const names = importsOf(file)
    // A specifier built in a template (a generator writing import lines) is text, not an import.
    .filter((spec) => !/[`$]/.test(spec))
    .filter((spec) => !spec.startsWith('.') && !spec.startsWith('/') && !spec.startsWith('node:') && !spec.startsWith('@ledger/') && !isBuiltin(spec))
    .map((spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
  return [...new Set(names)];
};

/** Packages the domain may import. immutable: a pure data-structure library without I/O (persistent maps keep evolve O(1) per event). */
const DOMAIN_ALLOWED_PACKAGES: ReadonlySet<string> = new Set(['immutable']);

const domainImportOffenders = (files: string[]): string[] =>
  files.flatMap((file) =>
    importsOf(file)
      .filter((spec) => !spec.startsWith('.') && !DOMAIN_ALLOWED_PACKAGES.has(spec))
      .map((spec) => `${rel(file)} imports ${spec}`),
  );

/** Runs a check against a throwaway source file made of these lines. */
const withSourceFile = (lines: string[], check: (file: string) => void): void => {
  const dir = mkdtempSync(join(tmpdir(), 'arch-'));
  const file = join(dir, 'leaky.decider.ts');
  writeFileSync(file, lines.join('\n'));
  try {
    check(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('the import scanner these rules rely on', () => {
  it('sees framework, store and relative imports, so a boundary crossing cannot slip past it', () => {
    withSourceFile(
      [
        "import { Injectable } from '@nestjs/common';",
        "import Database from 'better-sqlite3';",
        "import type { X } from './x';",
        "export { y } from '../y';",
        "const z = require('@eventstore/db-client');",
      ],
      (file) => expect(importsOf(file)).toEqual(['@nestjs/common', 'better-sqlite3', './x', '../y', '@eventstore/db-client']),
    );
  });
});

describe('the package scanner', () => {
  it('sees imports, side-effect imports, requires and dynamic imports, by package name', () => {
    withSourceFile(
      [
        "import 'reflect-metadata';",
        "import { join } from 'node:path';",
        "import { readFileSync } from 'fs';",
        "import { Hash } from '@grpc/grpc-js/build/src/hash';",
        "const x = require('lodash/fp');",
        "const y = await import('undeclared-thing');",
        "import { z } from '@ledger/domain';",
      ],
      (file) => expect(packagesImportedBy(file).sort()).toEqual(['@grpc/grpc-js', 'lodash', 'reflect-metadata', 'undeclared-thing']),
    );
  });
});

describe('architecture', () => {
  const domainFiles = tsFiles(join(ROOT, 'libs/domain/src'));
  const productionDomainFiles = domainFiles.filter((f) => !f.endsWith('.spec.ts') && !f.includes('/testing/'));

  it('keeps the domain free of frameworks, stores and every other package', () => {
    expect(domainImportOffenders(productionDomainFiles)).toEqual([]);
  });

  it('lets the domain import immutable and nothing else, not even a path inside it', () => {
    withSourceFile(
      [
        "import { Map } from 'immutable';",
        "import { Injectable } from '@nestjs/common';",
        "import { List } from 'immutable/dist/immutable';",
        "import Database from 'better-sqlite3';",
        "import { x } from './x';",
      ],
      (file) =>
        expect(domainImportOffenders([file]).map((o) => o.split(' imports ')[1])).toEqual([
          '@nestjs/common',
          'immutable/dist/immutable',
          'better-sqlite3',
        ]),
    );
  });

  it('keeps clocks and randomness out of the domain: time and ids arrive as data', () => {
    const forbidden = /\bDate\.now\(|\bnew Date\(|Math\.random\(|randomUUID|performance\.now\(/;
    const offenders = productionDomainFiles.filter((file) => forbidden.test(readFileSync(file, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('has a registry entry for every domain event type, under an explicit versioned name', () => {
    const declared = new Set<string>();
    for (const file of productionDomainFiles) {
      for (const m of readFileSync(file, 'utf8').matchAll(/DomainEvent<'([A-Za-z]+)'/g)) declared.add(m[1]);
    }
    expect(declared.size).toBeGreaterThan(0);
    expect([...declared].sort()).toEqual(Object.keys(EVENT_TYPES).sort());
    for (const stored of knownStoredTypes()) expect(stored).toMatch(/^[A-Z][A-Za-z]+\.v[1-9][0-9]*$/);
  });

  const sourceFiles = ['apps', 'libs'].flatMap((d) => tsFiles(join(ROOT, d))).filter((f) => !f.endsWith('.spec.ts'));

  it('never derives a stored name from a class name', () => {
    const offenders = sourceFiles.filter((file) => /constructor\.name/.test(readFileSync(file, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('never feeds anything from the in-process EventBus, which drops events on a crash', () => {
    const offenders = sourceFiles
      .filter((file) => /\bEventBus\b|@EventsHandler|IEventHandler|AggregateRoot/.test(readFileSync(file, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('binds interceptors to the routes that use them, never to the whole app', () => {
    // Any interceptor on a route runs every request to it through Nest's RxJS pipeline and two AsyncResource.bind
    // calls: a global one made every claim pay for what ten auditor reads use.
    const offenders = sourceFiles.filter((file) => /\bAPP_INTERCEPTOR\b|useGlobalInterceptors/.test(readFileSync(file, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('writes incident rows only through putIncident, which keeps incidents_by_day in step', () => {
    const offenders = sourceFiles
      .filter((file) => !file.endsWith('incidents-by-day.projection.ts') && /\.(put|delete)\(\s*incidentsTable\b/.test(readFileSync(file, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('keeps the libraries independent of the apps', () => {
    const libFiles = tsFiles(join(ROOT, 'libs'));
    const offenders = libFiles.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.includes('apps/') || spec.startsWith('@nestjs/'))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('declares in package.json every package the code imports (none resolves only by hoisting)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
    // This file's own import lines are test data of the scanners.
    const files = ['apps', 'libs', 'tests', 'bench', 'scripts'].flatMap((d) => codeFiles(join(ROOT, d))).filter((f) => f !== __filename);
    expect(files.length).toBeGreaterThan(100);
    const undeclared = files.flatMap((file) =>
      packagesImportedBy(file)
        .filter((name) => !declared.has(name))
        .map((name) => `${rel(file)} imports ${name}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('names files in kebab-case with tests ending in .unit/.int/.e2e.spec.ts', () => {
    const all = ['apps', 'libs', 'tests'].flatMap((d) => tsFiles(join(ROOT, d)));
    const badNames = all.filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*\.ts$/.test(f.split('/').pop()!)).map(rel);
    const badSpecs = all.filter((f) => f.endsWith('.spec.ts') && !/\.(unit|int|e2e)\.spec\.ts$/.test(f)).map(rel);
    expect(badNames).toEqual([]);
    expect(badSpecs).toEqual([]);
  });
});
