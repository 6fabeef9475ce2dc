import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** Root-relative path of a source file -> root-relative paths of the repository files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const LIB_ALIAS = /^@ledger\/([a-z-]+)(\/.*)?$/;

const sourceFilesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'results') return [];
    if (statSync(path).isDirectory()) return sourceFilesUnder(path);
    return name.endsWith('.ts') || name.endsWith('.tsx') ? [path] : [];
  });

/** Every way a file can pull in another: import/export ... from, side-effect imports, require and dynamic import. */
export const importSpecifiers = (source: string): string[] =>
  [
    ...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...source.matchAll(/import\s+['"]([^'"]+)['"]/g),
    ...source.matchAll(/(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);

/** The repository file a specifier names, as TypeScript resolves it here (relative paths and the @ledger/* aliases). */
export const resolveImport = (fromFile: string, specifier: string): string | undefined => {
  let base: string;
  if (specifier.startsWith('.')) base = resolve(dirname(fromFile), specifier);
  else {
    const alias = LIB_ALIAS.exec(specifier);
    if (!alias) return undefined;
    base = join(ROOT, 'libs', alias[1], 'src', alias[2] ?? '');
  }
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
};

export const buildImportGraph = (dirs: readonly string[]): ImportGraph => {
  const files = dirs.flatMap((dir) => sourceFilesUnder(join(ROOT, dir)));
  return new Map(
    files.map((file) => [
      relative(ROOT, file),
      importSpecifiers(readFileSync(file, 'utf8'))
        .map((spec) => resolveImport(file, spec))
        .filter((target): target is string => target !== undefined)
        .map((target) => relative(ROOT, target)),
    ]),
  );
};

/**
 * Which library may import which: each lib only what sits below it. domain is pure; integrity hashes and proves over
 * the domain's streams; the stores seal events with integrity; read models fold domain events from a store; contracts
 * publish all of it.
 */
export const LIB_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  integrity: ['domain'],
  'event-store': ['domain', 'integrity'],
  'read-models': ['domain', 'event-store', 'integrity'],
  contracts: ['domain', 'event-store', 'integrity', 'read-models'],
};

const libOf = (path: string): string | undefined => /^libs\/([^/]+)\//.exec(path)?.[1];

export const libDirectionOffenders = (graph: ImportGraph): string[] =>
  [...graph].flatMap(([file, targets]) => {
    const from = libOf(file);
    if (from === undefined) return [];
    const allowed = LIB_DEPENDENCIES[from];
    return targets
      .filter((target) => {
        const to = libOf(target);
        return to !== undefined && to !== from && !(allowed ?? []).includes(to);
      })
      .map((target) => `${file} imports ${target}`);
  });

/** Folders of the API that are not areas of use cases. */
const NOT_AREAS = new Set(['application', 'platform', 'demo']);

/** `area/use-case` of a file inside a use-case folder of the API; `shared` folders belong to their whole area. */
export const useCaseOf = (path: string): string | undefined => {
  const m = /^apps\/ledger-api\/src\/([^/]+)\/([^/]+)\//.exec(path);
  if (!m || NOT_AREAS.has(m[1]) || m[2] === 'shared') return undefined;
  return `${m[1]}/${m[2]}`;
};

/**
 * Use cases made of other use cases, and what of theirs they may use: a bulk import runs the six write use cases'
 * commands through their handlers, after the same DTO validation.
 */
export const COMPOSITE_USE_CASES: Readonly<Record<string, RegExp>> = {
  'imports/import-commands': /\.(command|dto|handler)\.ts$/,
};

export const useCaseCrossings = (graph: ImportGraph): string[] =>
  [...graph].flatMap(([file, targets]) => {
    const from = useCaseOf(file);
    if (from === undefined) return [];
    return targets
      .filter((target) => {
        const to = useCaseOf(target);
        if (to === undefined || to === from) return false;
        return !COMPOSITE_USE_CASES[from]?.test(target);
      })
      .map((target) => `${file} imports ${target}`);
  });

/** What is run or loaded from outside the import graph: specs, entry points, worker scripts, benchmarks, libraries' public faces. */
export const isEntryPoint = (path: string): boolean =>
  /\.spec\.ts$|\.d\.ts$|\.worker\.ts$|(^|\/)main\.tsx?$|\.bench\.ts$|^bench\/bench-suite\.ts$|^libs\/[^/]+\/src\/index\.ts$|^(tools|scripts)\//.test(path);

/** Files nothing reaches from an entry point: dead code, or an entry point the list above does not know. */
export const orphanFiles = (graph: ImportGraph): string[] => {
  const reached = new Set<string>();
  const pending = [...graph.keys()].filter(isEntryPoint);
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...(graph.get(file) ?? []));
  }
  return [...graph.keys()].filter((file) => !reached.has(file)).sort();
};

/** One use-case folder as the shape rule reads it: its file names and their sources. */
export interface UseCaseFolder {
  path: string;
  files: Readonly<Record<string, string>>;
}

const WRITE_ROUTE = /@(Post|Put|Patch|Delete)\(|WriteEndpoint\(/;

/**
 * The one shape of a use case: a write (any route that changes the ledger) is a command sent on the CommandBus to a
 * handler in the same folder; a read calls its read model, store or service directly, with any logic beyond a call
 * in a `.query.ts` function. No QueryBus, no handler or command for a read.
 */
export const useCaseShapeOffenders = (folder: UseCaseFolder): string[] => {
  const names = Object.keys(folder.files);
  const controllers = names.filter((n) => n.endsWith('.controller.ts'));
  const writes = controllers.some((n) => WRITE_ROUTE.test(folder.files[n]));
  const has = (suffix: string) => names.some((n) => n.endsWith(suffix));
  const problems: string[] = [];
  if (controllers.length === 0) problems.push('has no controller');
  for (const [name, source] of Object.entries(folder.files)) {
    if (/\bQueryBus\b|@QueryHandler\b/.test(source)) problems.push(`${name} uses the QueryBus`);
  }
  if (writes) {
    if (!has('.command.ts') || !has('.handler.ts')) problems.push('writes without a command and its handler');
    for (const name of controllers) {
      if (!/\bCommandBus\b/.test(folder.files[name])) problems.push(`${name} writes without the CommandBus`);
    }
  } else if (has('.command.ts') || has('.handler.ts')) {
    problems.push('a read with a command or handler');
  }
  return problems.map((problem) => `${folder.path} ${problem}`);
};

/** Controllers and handlers of an area that its module does not list: a use case the app would silently not serve. */
export const unregisteredInModule = (moduleSource: string, classNames: readonly string[]): string[] =>
  classNames.filter((name) => !new RegExp(`^\\s+${name},$`, 'm').test(moduleSource));

const APPLICATION = 'apps/ledger-api/src/application/';
/**
 * What the application layer may see of the app around it: the operator's configuration and the PostgreSQL that
 * replicas share (leases, the ledger schema), nothing of HTTP or areas.
 */
const APPLICATION_MAY_IMPORT = /^apps\/ledger-api\/src\/(application\/|platform\/config\/|platform\/postgres\/)/;

/** The application layer knows nothing of HTTP (platform/http, problem+json, Fastify) nor of the areas that use it. */
export const applicationLayerOffenders = (graph: ImportGraph, packagesOf: (file: string) => readonly string[]): string[] =>
  [...graph]
    .filter(([file]) => file.startsWith(APPLICATION) && !file.endsWith('.spec.ts'))
    .flatMap(([file, targets]) => [
      ...targets.filter((t) => t.startsWith('apps/') && !APPLICATION_MAY_IMPORT.test(t)).map((t) => `${file} imports ${t}`),
      ...packagesOf(file)
        .filter((p) => /^(fastify|@fastify\/|@nestjs\/platform-|@nestjs\/swagger)/.test(p))
        .map((p) => `${file} imports ${p}`),
    ]);
