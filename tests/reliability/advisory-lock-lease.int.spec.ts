import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AdvisoryLockLease } from '../../apps/ledger-api/src/platform/postgres/advisory-lock.lease';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';

jest.setTimeout(30_000);

const ROOT = join(__dirname, '..', '..');

/** A lease in this process that records what happened to it. */
const replica = (name: string, options: { retryMs?: number; checkMs?: number; idleSessionTimeoutMs?: number } = {}) => {
  const events: string[] = [];
  const lease = new AdvisoryLockLease({
    connectionString: TEST_POSTGRES_URL,
    name,
    retryMs: options.retryMs ?? 100,
    checkMs: options.checkMs ?? 100,
    idleSessionTimeoutMs: options.idleSessionTimeoutMs,
    onAcquired: () => void events.push('acquired'),
    onLost: (reason) => void events.push(`lost: ${reason}`),
  });
  return { lease, events };
};

const until = async (condition: () => boolean, timeoutMs: number, what: string): Promise<number> => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
};

describe('AdvisoryLockLease on PostgreSQL', () => {
  const leases: AdvisoryLockLease[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(leases.splice(0).map((lease) => lease.stop()));
  });

  it('three replicas: exactly one holds the lease; stopping it hands the lease to exactly one other', async () => {
    const name = uniqueName('lease');
    const replicas = [replica(name), replica(name), replica(name)];
    leases.push(...replicas.map((r) => r.lease.start()));
    await until(() => replicas.some((r) => r.lease.held), 5_000, 'a holder');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(replicas.filter((r) => r.lease.held)).toHaveLength(1);
    const holder = replicas.find((r) => r.lease.held)!;
    await holder.lease.stop();
    expect(holder.events).toEqual(['acquired', 'lost: stopped']);
    await until(() => replicas.some((r) => r.lease.held), 5_000, 'a new holder');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(replicas.filter((r) => r.lease.held)).toHaveLength(1);
  });

  it('leases of different names do not exclude each other', async () => {
    const a = replica(uniqueName('lease'));
    const b = replica(uniqueName('lease'));
    leases.push(a.lease.start(), b.lease.start());
    await until(() => a.lease.held && b.lease.held, 5_000, 'both held');
  });

  /** A replica in a child process; resolves once it holds the lease. */
  const holderProcess = async (name: string, idleMs?: number) => {
    const args = ['--require', join(ROOT, 'scripts/swc-register.js'), join(ROOT, 'tests/support/lease-holder.worker.ts'), TEST_POSTGRES_URL, name];
    const child = spawn(process.execPath, idleMs ? [...args, String(idleMs)] : args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const output = { text: '' };
    child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    await until(() => output.text.includes('held'), 15_000, 'the child to hold the lease');
    return { child, output };
  };

  /** Ends the session that holds the advisory lock of `name` (the key's low 32 bits are pg_locks.objid). */
  const terminateHolderSession = (name: string) =>
    sql(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND objid = (hashtextextended($1, 0) & x'ffffffff'::bigint)::oid`,
      [name],
    );

  it('a holder killed with SIGKILL: another replica takes over within a few seconds', async () => {
    const name = uniqueName('lease');
    const { child } = await holderProcess(name);
    const waiting = replica(name);
    leases.push(waiting.lease.start());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(waiting.lease.held).toBe(false);
    child.kill('SIGKILL');
    await until(() => waiting.lease.held, 5_000, 'the takeover');
  });

  it('a holder whose session is ended under it (pg_terminate_backend) reports the loss, and another takes over', async () => {
    const name = uniqueName('lease');
    const first = replica(name);
    leases.push(first.lease.start());
    await until(() => first.lease.held, 5_000, 'the first holder');
    const second = replica(name);
    leases.push(second.lease.start());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.lease.held).toBe(false);
    expect(await terminateHolderSession(name)).toHaveLength(1);
    await until(() => second.lease.held, 5_000, 'the takeover');
    await until(() => !first.lease.held, 5_000, 'the old holder to notice');
    expect(first.events.at(-1)).toMatch(/^lost: its PostgreSQL session ended/);
  });

  it('a frozen holder (SIGSTOP) loses its session to the idle timeout; the lease moves, and the holder learns it when it resumes', async () => {
    const name = uniqueName('lease');
    const { child, output } = await holderProcess(name, 1_000);
    const waiting = replica(name);
    leases.push(waiting.lease.start());
    child.kill('SIGSTOP');
    await until(() => waiting.lease.held, 8_000, 'the takeover after the idle timeout');
    child.kill('SIGCONT');
    await until(() => output.text.includes('lost its PostgreSQL session ended'), 5_000, 'the resumed holder to notice');
  });

  it('refuses an idle timeout that a healthy holder could trip over', () => {
    expect(() => new AdvisoryLockLease({ connectionString: TEST_POSTGRES_URL, name: 'x', checkMs: 1_000, idleSessionTimeoutMs: 1_500, onAcquired: () => undefined, onLost: () => undefined })).toThrow(RangeError);
  });
});
