import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN } from '../support/spawned-ledger';

/**
 * `ledger-cli <command>` loads that command's module only: import, tokens and rebuild bring the application's handlers,
 * NestJS and the PostgreSQL driver, which cost the auditor commands about 0.4 s at every start.
 */
const RECORDER = join(__dirname, '..', 'support', 'module-recorder.js');
const HEAVY = ['@nestjs/core', '@nestjs/common', '@nestjs/cqrs', 'pg', 'umzug', 'class-validator', 'fastify', '@eventstore/db-client'];

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-cli-start-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]): { status: number | null; stdout: string; loaded: string[] } => {
  const log = join(dir, `${args.join('-')}.log`);
  const result = spawnSync(process.execPath, ['--require', RECORDER, CLI_MAIN, ...args], { env: { ...process.env, LEDGER_TEST_MODULE_LOG: log }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, loaded: readFileSync(log, 'utf8').trim().split('\n') };
};

describe('ledger-cli loads what the command it runs needs', () => {
  it.each(['verify', 'history', 'status', 'export'])('%s --help: none of the application', (command) => {
    const { status, stdout, loaded } = run(command, '--help');
    expect(status).toBe(0);
    expect(stdout).toContain(`Usage: ledger-cli ${command}`);
    expect(loaded).toContain('commander');
    expect(loaded.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('import --help: the application, which it runs', () => {
    const { status, stdout, loaded } = run('import', '--help');
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: ledger-cli import');
    expect(loaded).toContain('@nestjs/cqrs');
  });

  it('--help lists every command, without loading the EventStoreDB client', () => {
    const { status, stdout, loaded } = run('--help');
    expect(status).toBe(0);
    expect(loaded).toContain('commander');
    expect(loaded).not.toContain('@eventstore/db-client');
    for (const command of ['replay', 'versions', 'history', 'changes', 'verify', 'export', 'status', 'rebuild', 'import', 'tokens', 'backup', 'restore']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
