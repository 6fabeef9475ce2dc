// The double on its own, in a process of its own, for tests that need a server outside their process (as a real node
// is) and for rehearsing the real-server mode: `node -r ./scripts/swc-register.js tests/esdb-double/serve-double.worker.ts`,
// then EVENTSTORE_TEST_CONNECTION_STRING=<the printed connection string>. PORT picks the port (default: a free one).
import { startEsdbDouble } from './esdb-double';

void startEsdbDouble({ port: Number(process.env.PORT ?? 0) }).then(
  (double) => process.stdout.write(`${double.connectionString}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
