import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { EsdbEventStore } from '@ledger/event-store';
import { describeEventStoreContract } from './event-store.contract';

/*
 * The port's contract suite, unchanged, against a real EventStoreDB:
 *  - EVENTSTORE_TEST_CONNECTION_STRING set (e.g. esdb://127.0.0.1:2113?tls=false): that server;
 *  - otherwise, a container runtime reachable by testcontainers: a throwaway eventstore/eventstore:24.10 node,
 *    insecure, single node, projections on (EVENTSTORE_TEST_IMAGE overrides the image);
 *  - neither: the suite is registered as skipped (never as passed) and one line says so and why.
 *
 * The choice is made while the file loads, because Jest registers tests synchronously: the runtime probe runs
 * testcontainers' own getContainerRuntimeClient() in a child process, bounded by a few seconds.
 */

const CONNECTION_STRING_VARIABLE = 'EVENTSTORE_TEST_CONNECTION_STRING';
const IMAGE = process.env.EVENTSTORE_TEST_IMAGE || 'eventstore/eventstore:24.10';
const NODE_PORT = 2113;
const PROBE_TIMEOUT_MS = 4000;
/** The contract suite writes `contract<label>-<uuid>` streams. */
const CONTRACT_STREAM_PREFIXES = ['contract'];

type Target = { kind: 'server'; connectionString: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

function chooseTarget(): Target {
  const configured = process.env[CONNECTION_STRING_VARIABLE]?.trim();
  if (configured) return { kind: 'server', connectionString: configured };
  const runtime = probeContainerRuntime();
  if (runtime.ok) return { kind: 'container' };
  return { kind: 'skip', reason: `no container runtime (${runtime.reason}) and ${CONNECTION_STRING_VARIABLE} is not set` };
}

function probeContainerRuntime(): { ok: true } | { ok: false; reason: string } {
  const script = `
    const timer = setTimeout(() => { process.stdout.write(JSON.stringify({ ok: false, reason: 'testcontainers found no runtime within ${PROBE_TIMEOUT_MS} ms' })); process.exit(0); }, ${PROBE_TIMEOUT_MS});
    require(${JSON.stringify(require.resolve('testcontainers'))}).getContainerRuntimeClient().then(
      () => { clearTimeout(timer); process.stdout.write(JSON.stringify({ ok: true })); process.exit(0); },
      (error) => { clearTimeout(timer); process.stdout.write(JSON.stringify({ ok: false, reason: 'testcontainers: ' + error.message })); process.exit(0); },
    );`;
  try {
    const output = execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: PROBE_TIMEOUT_MS + 4000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, DEBUG: '' },
    });
    return JSON.parse(output.trim().split('\n').pop() ?? '{}') as { ok: true } | { ok: false; reason: string };
  } catch (error) {
    return { ok: false, reason: `runtime probe failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

const target = chooseTarget();
const SUITE = `EventStoreDB contract against a real server (${IMAGE} via testcontainers or ${CONNECTION_STRING_VARIABLE})`;

if (target.kind === 'skip') {
  process.stdout.write(`[esdb-testcontainers] SKIPPED: ${SUITE}: ${target.reason}.\n`);
  describe.skip(SUITE, () => {
    describeEventStoreContract('EventStoreDB (real server)', async () => {
      throw new Error('unreachable: skipped');
    }, { appendMany: 'in-order' });
  });
} else {
  describe(SUITE, () => {
    jest.setTimeout(30_000);
    let container: StartedTestContainer | undefined;
    let connectionString: string;

    beforeAll(async () => {
      if (target.kind === 'server') {
        connectionString = target.connectionString;
      } else {
        container = await new GenericContainer(IMAGE)
          .withEnvironment({
            EVENTSTORE_INSECURE: 'true',
            EVENTSTORE_CLUSTER_SIZE: '1',
            EVENTSTORE_RUN_PROJECTIONS: 'All',
            EVENTSTORE_START_STANDARD_PROJECTIONS: 'true',
            EVENTSTORE_NODE_PORT: String(NODE_PORT),
            EVENTSTORE_MEM_DB: 'true',
          })
          .withExposedPorts(NODE_PORT)
          .withWaitStrategy(Wait.forHttp('/health/live', NODE_PORT).forStatusCode(204))
          .withStartupTimeout(120_000)
          .start();
        connectionString = `esdb://${container.getHost()}:${container.getMappedPort(NODE_PORT)}?tls=false`;
      }
      process.stdout.write(`[esdb-testcontainers] running the contract suite against ${connectionString}\n`);
      await waitUntilWritable(connectionString);
    }, 180_000);

    afterAll(async () => {
      await container?.stop();
    });

    describeEventStoreContract('EsdbEventStore on a real EventStoreDB', async () => {
      const store = new EsdbEventStore({ connectionString, streamPrefixes: CONTRACT_STREAM_PREFIXES });
      return { store, cleanup: () => store.close() };
    }, { appendMany: 'in-order' });
  });
}

/** A fresh node answers /health/live before it has elected itself leader: wait until an append goes through. */
async function waitUntilWritable(connectionString: string): Promise<void> {
  const store = new EsdbEventStore({ connectionString, streamPrefixes: CONTRACT_STREAM_PREFIXES });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        await store.append(`contractprobe-${randomUUID()}`, [
          {
            eventId: randomUUID(),
            type: 'ContractProbe.v1',
            data: {},
            metadata: { recordedAt: new Date().toISOString(), recordedBy: 'contract-test', correlationId: randomUUID(), causationId: randomUUID() },
          },
        ]);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await store.close();
  }
}
