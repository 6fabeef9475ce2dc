import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { EsdbEventStore } from '@ledger/event-store';
import { redact } from '../support/esdb-target';
import { describeEventStoreContract } from './event-store.contract';

/*
 * The port's contract suite, unchanged, against a real EventStoreDB:
 *  - EVENTSTORE_TEST_CONNECTION_STRING set (e.g. esdb://127.0.0.1:2113?tls=false): that server;
 *  - otherwise, a container runtime reachable by testcontainers: a throwaway eventstore/eventstore:24.10 node,
 *    insecure, single node, projections on (EVENTSTORE_TEST_IMAGE overrides the image);
 *  - neither: the suite is registered as skipped (never as passed) and one line says so and why; with
 *    EVENTSTORE_TEST_REQUIRED=1 it is registered as one failing test whose message says why instead, so a run that
 *    was meant to reach a real server cannot go green without one.
 * An image that cannot be pulled or started fails the suite in either case, with a message saying which.
 *
 * The choice is made while the file loads, because Jest registers tests synchronously: the runtime probe runs
 * testcontainers' own getContainerRuntimeClient() in a child process, bounded by a few seconds (30 s when required:
 * a slow Docker daemon must not turn a required run red either; EVENTSTORE_TEST_PROBE_TIMEOUT_MS overrides both).
 */

const CONNECTION_STRING_VARIABLE = 'EVENTSTORE_TEST_CONNECTION_STRING';
const REQUIRED_VARIABLE = 'EVENTSTORE_TEST_REQUIRED';
const REQUIRED = process.env[REQUIRED_VARIABLE] === '1';
const IMAGE = process.env.EVENTSTORE_TEST_IMAGE || 'eventstore/eventstore:24.10';
const NODE_PORT = 2113;
const PROBE_TIMEOUT_MS = Number(process.env.EVENTSTORE_TEST_PROBE_TIMEOUT_MS) || (REQUIRED ? 30_000 : 4_000);
/** The contract suite writes `contract<label>-<uuid>` streams. */
const CONTRACT_STREAM_PREFIXES = ['contract'];

type SkipReason = { kind: 'no-runtime' | 'probe-timeout'; detail: string };
type Target = { kind: 'server'; connectionString: string } | { kind: 'container' } | { kind: 'skip'; reason: SkipReason };
type ProbeResult = { ok: true } | { ok: false; kind: SkipReason['kind']; detail: string };

function chooseTarget(): Target {
  const configured = process.env[CONNECTION_STRING_VARIABLE]?.trim();
  if (configured) return { kind: 'server', connectionString: configured };
  const runtime = probeContainerRuntime();
  if (runtime.ok) return { kind: 'container' };
  return { kind: 'skip', reason: { kind: runtime.kind, detail: runtime.detail } };
}

function probeContainerRuntime(): ProbeResult {
  // An answer that arrives after the budget counts as a timeout too, whichever it is: it was too late.
  const script = `
    const started = Date.now();
    const late = () => Date.now() - started > ${PROBE_TIMEOUT_MS};
    const timeout = { ok: false, kind: 'probe-timeout', detail: 'testcontainers found no runtime within ${PROBE_TIMEOUT_MS} ms' };
    const answer = (result) => { process.stdout.write(JSON.stringify(late() ? timeout : result)); process.exit(0); };
    setTimeout(() => answer(timeout), ${PROBE_TIMEOUT_MS});
    require(${JSON.stringify(require.resolve('testcontainers'))}).getContainerRuntimeClient().then(
      () => answer({ ok: true }),
      (error) => answer({ ok: false, kind: 'no-runtime', detail: 'testcontainers: ' + error.message }),
    );`;
  try {
    const output = execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: PROBE_TIMEOUT_MS + 4000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, DEBUG: '' },
    });
    return JSON.parse(output.trim().split('\n').pop() ?? '{}') as ProbeResult;
  } catch (error) {
    const killed = (error as { signal?: string }).signal === 'SIGTERM';
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, kind: killed ? 'probe-timeout' : 'no-runtime', detail: `runtime probe failed: ${detail}` };
  }
}

/** Says what went wrong when a container could not be had: the image could not be pulled, or it did not start. */
function containerFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const pull = /pull|manifest|not found|no such image|denied|unauthorized|toomanyrequests|rate limit|registry/i.test(message);
  return new Error(
    pull
      ? `image pull failure: could not pull ${IMAGE} (${message}). Check the image name (EVENTSTORE_TEST_IMAGE) and the registry's reachability.`
      : `container start failure: ${IMAGE} did not start and answer /health/live (${message}).`,
  );
}

const target = chooseTarget();
const SUITE = `EventStoreDB contract against a real server (${IMAGE} via testcontainers or ${CONNECTION_STRING_VARIABLE})`;

const skipped = (reason: SkipReason) =>
  `${reason.kind === 'probe-timeout' ? 'container-runtime probe timeout' : 'no container runtime'} (${reason.detail}) and ${CONNECTION_STRING_VARIABLE} is not set`;

if (target.kind === 'skip' && REQUIRED) {
  const why = skipped(target.reason);
  process.stdout.write(`[esdb-testcontainers] FAILING (${REQUIRED_VARIABLE}=1): ${SUITE}: ${why}.\n`);
  describe(SUITE, () => {
    it(`runs against a real server, as ${REQUIRED_VARIABLE}=1 requires`, () => {
      throw new Error(`${REQUIRED_VARIABLE}=1 and the real-server suite cannot run: ${why}.`);
    });
  });
} else if (target.kind === 'skip') {
  const why = skipped(target.reason);
  process.stdout.write(`[esdb-testcontainers] SKIPPED: ${SUITE}: ${why}. Set ${REQUIRED_VARIABLE}=1 to make this a failure.\n`);
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
          .start()
          .catch((error: unknown) => {
            throw containerFailure(error);
          });
        connectionString = `esdb://${container.getHost()}:${container.getMappedPort(NODE_PORT)}?tls=false`;
      }
      process.stdout.write(`[esdb-testcontainers] running the contract suite against ${redact(connectionString)}\n`);
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
