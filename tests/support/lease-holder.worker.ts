// A replica in a child process of its own, for the lease's kill -9 test (named .worker.ts like the other scripts run
// from outside the import graph): takes the lease, prints "held" once it does, and keeps it until it is killed. `node -r ./scripts/swc-register.js tests/support/lease-holder.worker.ts URL NAME [IDLE_MS]`.
import { AdvisoryLockLease } from '../../apps/ledger-api/src/platform/postgres/advisory-lock.lease';

const [connectionString, name, idle] = process.argv.slice(2);
new AdvisoryLockLease({
  connectionString,
  name,
  retryMs: 100,
  checkMs: 200,
  idleSessionTimeoutMs: idle ? Number(idle) : undefined,
  onAcquired: () => void process.stdout.write('held\n'),
  onLost: (reason) => void process.stdout.write(`lost ${reason}\n`),
}).start();
setInterval(() => undefined, 1 << 30);
