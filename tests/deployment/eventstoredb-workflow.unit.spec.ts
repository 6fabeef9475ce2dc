import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const WORKFLOW = '.github/workflows/eventstoredb.yml';
const SMOKE = 'scripts/compose-smoke.sh';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}

// No container engine runs here, so the workflow that runs the EventStoreDB suites against real servers is checked for
// its structure only: what it starts, what it runs, and that everything it names exists.
describe(WORKFLOW, () => {
  const workflow = parse(readFileSync(join(ROOT, WORKFLOW), 'utf8'));
  const suites = workflow.jobs.suites;
  const matrix = suites.strategy.matrix as { server: Array<{ image: string; version: string }>; suite: Array<{ name: string; path: string; pattern?: string }> };
  const runs = (job: { steps: Step[] }) => job.steps.map((s) => s.run ?? '').join('\n');

  it('runs every suite against EventStoreDB 24.10 and a pinned KurrentDB, each job with a fresh node', () => {
    const images = matrix.server.map((s) => s.image);
    expect(images).toContain('eventstore/eventstore:24.10');
    const kurrent = images.find((i) => i.startsWith('kurrentplatform/kurrentdb:'));
    expect(kurrent).toMatch(/^kurrentplatform\/kurrentdb:\d+\.\d+/);
    expect(matrix.server.find((s) => s.image === 'eventstore/eventstore:24.10')?.version).toBe('24.10');
    // A service container is per job: one node per (server, suite).
    expect(suites.services.eventstore.image).toBe('${{ matrix.server.image }}');
    expect(suites.strategy['fail-fast']).toBe(false);
  });

  it('starts an insecure single node with projections, health-checked on /health/live, as docker-compose.yml does', () => {
    const service = suites.services.eventstore;
    expect(service.env).toMatchObject({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'All',
      EVENTSTORE_START_STANDARD_PROJECTIONS: 'true',
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'All',
    });
    expect(service.ports).toContain('2113:2113');
    expect(service.options).toMatch(/--health-cmd "[^"]*\/health\/live[^"]*"/);
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
    expect(service.env.EVENTSTORE_RUN_PROJECTIONS).toBe(compose.services.eventstore.environment.EVENTSTORE_RUN_PROJECTIONS);
  });

  it('points the suites at that node and makes a skip a failure', () => {
    expect(suites.env.EVENTSTORE_TEST_REQUIRED).toBe('1');
    expect(suites.env.EVENTSTORE_TEST_CONNECTION_STRING).toBe('esdb://localhost:2113?tls=false');
    expect(suites.env.EVENTSTORE_TEST_SERVER_VERSION).toBe('${{ matrix.server.version }}');
  });

  it('installs, builds, waits for a node that takes writes, then runs the one suite of the job in band', () => {
    const script = runs(suites);
    expect(script).toMatch(/^npm ci$/m);
    expect(script).toMatch(/^npm run build$/m);
    expect(script.indexOf('npm ci')).toBeLessThan(script.indexOf('npm run build'));
    expect(script).toContain('appendToStream');
    expect(script).toMatch(/npx jest --config jest\.config\.js --ci --runInBand "\$\{\{ matrix\.suite\.path \}\}"/);
  });

  it('names suites that exist, and every EventStoreDB suite there is', () => {
    const paths = matrix.suite.map((s) => s.path);
    for (const path of paths) expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
    expect(new Set(matrix.suite.map((s) => s.name)).size).toBe(matrix.suite.length);
    const expected = [
      'tests/contract/esdb-testcontainers.int.spec.ts',
      'tests/e2e/cli-audit.e2e.spec.ts',
      ...readdirSync(join(ROOT, 'tests/esdb-double')).filter((f) => f.endsWith('.int.spec.ts')).map((f) => `tests/esdb-double/${f}`),
      ...readdirSync(join(ROOT, 'tests/e2e')).filter((f) => /esdb.*\.e2e\.spec\.ts$/.test(f)).map((f) => `tests/e2e/${f}`),
    ];
    expect([...paths].sort()).toEqual([...new Set(expected)].sort());
    // The CLI file also tests the embedded store: only its EventStoreDB part runs here, and that part exists.
    const cli = matrix.suite.find((s) => s.path === 'tests/e2e/cli-audit.e2e.spec.ts')!;
    expect(readFileSync(join(ROOT, cli.path), 'utf8')).toContain(`describe('ledger-cli auditor commands ${cli.pattern}`);
  });

  it('runs the compose smoke script in a job of its own', () => {
    expect(runs(workflow.jobs['compose-smoke'])).toContain(SMOKE);
  });
});

describe(SMOKE, () => {
  const path = join(ROOT, SMOKE);
  const script = readFileSync(path, 'utf8');

  it('is an executable bash script that stops at the first error and parses', () => {
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toMatch(/^set -euo pipefail$/m);
    expect(statSync(path).mode & 0o111).toBe(0o111);
    expect(() => execFileSync('bash', ['-n', path], { stdio: 'pipe' })).not.toThrow();
  });

  it('brings compose up and waits, writes with a token from the volume, restarts EventStoreDB, checks, and always takes it down with its volumes', () => {
    expect(script).toMatch(/docker compose up --build --wait/);
    expect(script).toContain('docker compose exec -T ledger cat /data/initial-tokens.txt');
    expect(script).toMatch(/request POST \/parties/);
    expect(script).toContain('docker compose restart eventstore');
    expect(script).toContain('/health/ready');
    expect(script).toContain('/feed/events');
    expect(script).toMatch(/trap cleanup EXIT/);
    expect(script).toMatch(/docker compose down -v/);
  });
});
