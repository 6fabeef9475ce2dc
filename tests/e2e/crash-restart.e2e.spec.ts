import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isLedgerStreamName } from '@ledger/domain';
import { EventStore, ReadAllOptions, RecordedEvent, SqliteEventStore } from '@ledger/event-store';
import { eventLeafHash, MerkleLog, storedHashOf } from '@ledger/integrity';
import { ProjectionRunner, ReadModelDump, SqliteReadModelStore } from '@ledger/read-models';
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  killAllSpawned,
  removeDataDir,
  spawnLedger,
  tempDataDir,
} from '../support/spawned-ledger';
import { dumpReadModels, readLog } from '../support/data-dir';

/**
 * "Killing the process and restarting loses no acknowledged event and the
 * read models come back identical." The built API runs as a child process
 * and is SIGKILLed: no shutdown hook, no flush, exactly a crash.
 */

const TOTAL_COMMANDS = 200;
const IN_FLIGHT = 8;
const KILL_AFTER_ACKS = 60;
const INCIDENTS = 4;
/** ~10-20 s on an idle machine; the margin is for a loaded one (two starts of the API per case). */
const TEST_TIMEOUT_MS = 90_000;

const dirs: string[] = [];
const newDir = (): string => {
  const dir = tempDataDir('ledger-crash-');
  dirs.push(dir);
  return dir;
};

beforeAll(() => ensureBuilt('ledger-api'), BUILD_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await killAllSpawned();
  for (const dir of dirs) removeDataDir(dir);
});

const PARTIES = [
  { partyId: 'azerbaijan', name: 'Republic of Azerbaijan', kind: 'state' },
  { partyId: 'armenia', name: 'Republic of Armenia', kind: 'state' },
  { partyId: 'osce-minsk-group-co-chairs', name: 'OSCE Minsk Group Co-Chairs', kind: 'mediator' },
];

const incidentBody = (n: number) => ({
  title: `Ceasefire violation on the line of contact, sector ${n}`,
  summary: 'Each side blames the other for a night of fire.',
  occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
  location: { name: `Line of contact, sector ${n}`, precision: 'region' },
  category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
});

const claimBody = (i: number) => ({
  partyId: PARTIES[i % PARTIES.length].partyId,
  statement: { text: `Statement number ${i} about the night of fighting.`, verbatim: false, language: 'en' },
  statedAt: { at: '2019-06-01', precision: 'day' },
  source: { title: `Wire report ${i}`, publisher: 'Crash test wire', publishedAt: '2019-06-03' },
  assertions: {},
});

interface Ack {
  incidentId: string;
  claimId: string;
  position: bigint;
  readModels: string | null;
}

/** The log as far as `upTo`, to replay exactly what a checkpoint covers. */
const logUpTo = (store: EventStore, upTo: bigint): EventStore =>
  new Proxy(store, {
    get(target, property) {
      if (property === 'readAll') {
        return async (options?: ReadAllOptions) => (await target.readAll(options)).filter((e) => e.position <= upTo);
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

/** The read models as a replay of the log (all of it, or up to a position) builds them, in a file of their own. */
const freshRebuild = async (
  dataDir: string,
  scratchDir: string,
  upTo?: bigint,
): Promise<{ dump: ReadModelDump; checkpoint: bigint }> => {
  const log = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
  const eventStore = upTo === undefined ? log : logUpTo(log, upTo);
  const store = new SqliteReadModelStore({ filename: join(scratchDir, 'fresh-read-models.sqlite') });
  try {
    const runner = new ProjectionRunner({ eventStore, store });
    await runner.rebuild();
    return { dump: store.dump(), checkpoint: runner.status().checkpoint };
  } finally {
    store.close();
    await log.close();
  }
};

describe('crash and restart of the built API (SIGKILL)', () => {
  it(
    'loses no acknowledged claim when killed in the middle of a burst, and the read models come back identical to a rebuild',
    async () => {
      const dataDir = newDir();
      const phases: string[] = [];
      let phaseStart = Date.now();
      const phase = (name: string) => {
        phases.push(`${name} ${Date.now() - phaseStart} ms`);
        phaseStart = Date.now();
      };
      const first = await spawnLedger({ dataDir });
      phase('start');

      for (const party of PARTIES) {
        const res = await first.request('POST', '/parties', { role: 'recorder', body: party });
        expect(res.status).toBe(201);
      }
      const incidents: string[] = [];
      for (let n = 1; n <= INCIDENTS; n++) {
        const res = await first.request('POST', '/incidents', { role: 'recorder', body: incidentBody(n) });
        expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
        incidents.push(res.body.incidentId);
      }

      // The burst: IN_FLIGHT workers draw from TOTAL_COMMANDS; the kill comes with the KILL_AFTER_ACKS-th 201.
      const acks: Ack[] = [];
      const otherStatuses: number[] = [];
      let connectionErrors = 0;
      let sent = 0;
      let killing: Promise<void> | undefined;
      const worker = async () => {
        while (!killing && sent < TOTAL_COMMANDS) {
          const i = sent++;
          const incidentId = incidents[i % INCIDENTS];
          let res;
          try {
            res = await first.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(i) });
          } catch {
            connectionErrors++; // the process died with this request in flight: not acknowledged
            continue;
          }
          if (res.status === 201) {
            acks.push({ incidentId, claimId: res.body.claimId, position: BigInt(res.body.position), readModels: res.headers.get('read-models') });
            if (acks.length >= KILL_AFTER_ACKS && !killing) killing = first.kill();
          } else {
            otherStatuses.push(res.status);
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      phase('setup+burst');
      expect(killing).toBeDefined();
      await killing;
      expect((await first.exited).signal).toBe('SIGKILL');

      // The kill really fell inside the burst.
      expect(acks.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      expect(sent).toBeLessThan(TOTAL_COMMANDS);
      // A 409 would mean the executor gave up retrying a race on one incident; anything else is a bug.
      expect(otherStatuses.filter((s) => s !== 409)).toEqual([]);

      // Every acknowledged claim is in the log exactly once, at the position it was acknowledged with.
      const log = await readLog(dataDir);
      const claimEvents = log.filter((e) => e.type.startsWith('ClaimMade.'));
      const byClaim = new Map<string, RecordedEvent[]>();
      for (const e of claimEvents) {
        const claimId = (e.data as { claimId: string }).claimId;
        byClaim.set(claimId, [...(byClaim.get(claimId) ?? []), e]);
      }
      for (const ack of acks) {
        const stored = byClaim.get(ack.claimId) ?? [];
        expect({ claimId: ack.claimId, stored: stored.length }).toEqual({ claimId: ack.claimId, stored: 1 });
        expect(stored[0].position).toBe(ack.position);
        expect(stored[0].streamName).toBe(`incident-${ack.incidentId}`);
      }
      expect(new Set(log.map((e) => e.eventId)).size).toBe(log.length);
      const headAfterCrash = log.length === 0 ? 0n : log[log.length - 1].position;

      // Read-your-writes survived too: a claim answered with Read-Models: current was in the read models' checkpoint.
      const afterCrash = dumpReadModels(dataDir);
      const maxCurrent = acks.filter((a) => a.readModels === 'current').reduce((max, a) => (a.position > max ? a.position : max), 0n);
      expect(afterCrash.checkpoint).toBeDefined();
      expect(afterCrash.checkpoint!).toBeGreaterThanOrEqual(maxCurrent);
      expect(afterCrash.checkpoint!).toBeLessThanOrEqual(headAfterCrash);
      // ...and what the crash left on disk is exactly the log up to that checkpoint: no half-applied batch.
      expect(afterCrash.dump).toEqual((await freshRebuild(dataDir, newDir(), afterCrash.checkpoint)).dump);

      // eslint-disable-next-line no-console
      console.log(
        `crash burst: ${sent} sent, ${acks.length} acknowledged (201) before SIGKILL, ${connectionErrors} cut off in flight, ` +
          `${otherStatuses.length} other answers (${otherStatuses.join(',') || 'none'}); log after the crash: ${claimEvents.length} ClaimMade events ` +
          `(${claimEvents.length - acks.length} committed but never acknowledged), head position ${headAfterCrash}, read-model checkpoint ${afterCrash.checkpoint}`,
      );

      // Restart on the same directory.
      phase('log checks');
      const second = await spawnLedger({ dataDir, tokens: first.tokens });
      const health = await second.waitUntilCaughtUp();
      phase('restart');
      expect(health.details.eventStore.headPosition).toBe(headAfterCrash.toString());
      for (const ack of acks) {
        const res = await second.request('GET', `/incidents/${ack.incidentId}/claims/${ack.claimId}`, { role: 'reader' });
        expect({ claimId: ack.claimId, status: res.status }).toEqual({ claimId: ack.claimId, status: 200 });
        expect(res.body).toMatchObject({ claimId: ack.claimId, incidentId: ack.incidentId, currentVersion: 1, retracted: false });
      }
      phase('GET claims');
      await second.stop();
      // The graceful shutdown (apps/ledger-api/src/graceful-shutdown.ts) closes the stores, then exits 0.
      expect(await second.exited).toEqual({ code: 0, signal: null });

      // The read models the restarted API left behind equal a replay of the log into a separate file.
      const restarted = dumpReadModels(dataDir);
      const fresh = await freshRebuild(dataDir, newDir());
      expect(restarted.checkpoint).toBe(headAfterCrash);
      expect(fresh.checkpoint).toBe(headAfterCrash);
      expect(restarted.dump.claims.length).toBeGreaterThanOrEqual(acks.length);
      expect(restarted.dump).toEqual(fresh.dump);
      phase('stop+rebuild');
      // eslint-disable-next-line no-console
      console.log(`crash scenario phases: ${phases.join(', ')}`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows the same versions of the demo incident after a SIGKILL while idle and a restart',
    async () => {
      const dataDir = newDir();
      const first = await spawnLedger({ dataDir, demo: true });
      const loaded = /Demo data loaded: incident http:\/\/[^/]+\/incidents\/([0-9a-f-]{36})\/versions/.exec(first.output());
      expect(loaded).not.toBeNull();
      const incidentId = loaded![1];
      const before = await first.waitUntilCaughtUp();
      const versionsBefore = await first.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
      const timelineBefore = await first.request('GET', `/incidents/${incidentId}/timeline`, { role: 'reader' });
      expect(versionsBefore.status).toBe(200);
      expect(timelineBefore.status).toBe(200);

      await first.kill();
      expect((await first.exited).signal).toBe('SIGKILL');

      const second = await spawnLedger({ dataDir, demo: true, tokens: first.tokens });
      expect(second.output()).toContain('Store not empty: demo data not loaded again');
      const after = await second.waitUntilCaughtUp();
      expect(after.details.eventStore.headPosition).toBe(before.details.eventStore.headPosition);
      expect(after.details.projections.checkpoint).toBe(before.details.projections.checkpoint);

      const versionsAfter = await second.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
      const timelineAfter = await second.request('GET', `/incidents/${incidentId}/timeline`, { role: 'reader' });
      expect(versionsAfter.status).toBe(200);
      expect(versionsAfter.body).toEqual(versionsBefore.body);
      expect(versionsAfter.headers.get('etag')).toBe(versionsBefore.headers.get('etag'));
      expect(timelineAfter.body).toEqual(timelineBefore.body);
      await second.kill();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the notary takes up the tree it kept after a SIGKILL under load, reads only the log after it, and signs the whole log',
    async () => {
      const dataDir = newDir();
      // Snapshots every 100 ms while the burst writes: the kill lands between, or in the middle of, storing one.
      const env = { LEDGER_NOTARY_SNAPSHOT_INTERVAL_MS: '100' };
      const first = await spawnLedger({ dataDir, env });
      for (const party of PARTIES) expect((await first.request('POST', '/parties', { role: 'recorder', body: party })).status).toBe(201);
      const incident = await first.request('POST', '/incidents', { role: 'recorder', body: incidentBody(1) });
      expect(incident.status).toBe(201);
      let acks = 0;
      let killing: Promise<void> | undefined;
      let sent = 0;
      const worker = async () => {
        while (!killing && sent < TOTAL_COMMANDS) {
          const i = sent++;
          const res = await first
            .request('POST', `/incidents/${incident.body.incidentId}/claims`, { role: 'recorder', body: claimBody(i) })
            .catch(() => undefined);
          if (res?.status === 201 && ++acks >= KILL_AFTER_ACKS && !killing) killing = first.kill();
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      await killing;
      expect((await first.exited).signal).toBe('SIGKILL');
      expect(existsSync(join(dataDir, 'notary-state.json'))).toBe(true);

      const second = await spawnLedger({ dataDir, env, tokens: first.tokens });
      await second.waitUntilCaughtUp();
      const signed = await second.request('POST', '/integrity/checkpoints', { role: 'auditor' });
      expect(signed.status).toBe(201);
      const taken = /took up the tree kept in .*: (\d+) ledger events; reading the log after position (\d+)/.exec(second.output());
      expect(taken).not.toBeNull();

      const log = await readLog(dataDir);
      const ledgerEvents = log.filter((e) => isLedgerStreamName(e.streamName));
      const expected = new MerkleLog(ledgerEvents.map((e) => eventLeafHash(storedHashOf(e.metadata)!)));
      // What an operator sees of it: the kept tree, followed to the log's head (the checkpoint just signed included,
      // which the notary reads back through its subscription a moment after the append).
      const head = log.at(-1)!.position.toString();
      let health = await second.request('GET', '/health');
      for (let tries = 0; tries < 50 && health.body.details.notary.followedTo !== head; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        health = await second.request('GET', '/health');
      }
      expect(health.body.details.notary).toEqual({
        status: 'up',
        state: 'following',
        tree: 'kept',
        leaves: expected.size,
        followedTo: head,
        snapshotAt: expect.stringMatching(/^\d+$/),
        refusing: false,
      });
      expect(signed.body).toMatchObject({ treeSize: expected.size, rootHash: expected.root().toString('hex'), lastPosition: ledgerEvents.at(-1)!.position.toString() });
      // It took up a tree of some of the log's events, not none, and the leaves it holds are those events.
      const [takenLeaves, takenPosition] = [Number(taken![1]), BigInt(taken![2])];
      expect(takenLeaves).toBeGreaterThan(0);
      expect(takenLeaves).toBeLessThanOrEqual(expected.size);
      expect(ledgerEvents[takenLeaves - 1].position).toBeLessThanOrEqual(takenPosition);
      // A proof of an event the first run followed, and of the last one.
      for (const event of [ledgerEvents[2], ledgerEvents.at(-1)!]) {
        const proof = await second.request('GET', `/integrity/proofs/inclusion?eventId=${event.eventId}`, { role: 'auditor' });
        expect(proof.status).toBe(200);
        const leaf = ledgerEvents.indexOf(event);
        expect(proof.body).toMatchObject({ leafIndex: leaf, treeSize: expected.size, auditPath: expected.inclusionProof(leaf).map((hash) => hash.toString('hex')) });
      }
      await second.stop();
    },
    TEST_TIMEOUT_MS,
  );
});
