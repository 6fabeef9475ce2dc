import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * EVENTSTORE_TEST_REQUIRED=1 must turn a real-server suite that cannot reach a server into a failure. The suite is run
 * in a child Jest with no server configured and a container-runtime probe that cannot succeed in time (1 ms), which
 * is what a machine without a runtime, or with a slow one, looks like to it, on any machine.
 */
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const SUITE = 'tests/contract/esdb-testcontainers.int.spec.ts';

function runSuite(env: Record<string, string>): { status: number | null; output: string } {
  const inherited = { ...process.env };
  delete inherited.EVENTSTORE_TEST_CONNECTION_STRING;
  delete inherited.EVENTSTORE_TEST_REQUIRED;
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'jest.config.js', '--ci', SUITE], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...inherited, EVENTSTORE_TEST_PROBE_TIMEOUT_MS: '1', ...env },
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('the real-server suite without a server', () => {
  it('fails with EVENTSTORE_TEST_REQUIRED=1, saying why', () => {
    const { status, output } = runSuite({ EVENTSTORE_TEST_REQUIRED: '1' });
    expect(status).toBe(1);
    expect(output).toContain('[esdb-testcontainers] FAILING (EVENTSTORE_TEST_REQUIRED=1)');
    expect(output).toMatch(/EVENTSTORE_TEST_REQUIRED=1 and the real-server suite cannot run: container-runtime probe timeout \(testcontainers found no runtime within 1 ms\)/);
    expect(output).toMatch(/Tests:\s+1 failed, 1 total/);
  });

  it('is skipped (never passed) without it, and one line says so and why', () => {
    const { status, output } = runSuite({});
    expect(status).toBe(0);
    expect(output).toMatch(/\[esdb-testcontainers\] SKIPPED: .*container-runtime probe timeout .*Set EVENTSTORE_TEST_REQUIRED=1 to make this a failure\./);
    expect(output).toMatch(/Tests:\s+\d+ skipped, \d+ total/);
    expect(output).not.toMatch(/\d+ passed/);
  });
});
