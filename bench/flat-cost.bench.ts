/**
 * flat-cost: does a claim cost the same on a big incident as on a small one?
 *
 * Two incidents in one built ledger (fresh data directory, demo parties): A grows to 75 claims, B to N + 25
 * (N = 1,000 small, 5,000 full). Each is first filled to 25 below its mark by appending ClaimMade events (the demo's
 * first claim) straight into the stopped ledger's event log, since sending 5,000 claims over HTTP at today's cost
 * would take hours; the ledger then starts on that log and its read models catch up. Then 50 claims go to each over
 * HTTP, one request at a time, alternating A and B so that both see the same machine: claims #26–#75 ("claim 50")
 * and #N−24–#N+25 ("claim N"). Figure: median of B over median of A, target ≤ 1.5.
 *
 * Then `GET /incidents/{id}/versions?limit=100` (a page; today the limit is ignored and the whole document comes
 * back) of both, against the trivial `GET /health`, 20 of each alternating: target ≤ 50 ms for a page at N claims.
 *
 * Checks: every claim answered 201, every versions read 200, and after a SIGKILL each incident holds exactly its
 * seeded plus acknowledged claims.
 */
import { join } from 'node:path';
import { storedTypeOf } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { SpawnedLedger, removeDataDir } from '../tests/support/spawned-ledger';
import { BenchContext, runBenchmark } from './support/bench-child';
import { reportIncidents, spawnBenchLedger } from './support/bench-processes';
import { demoClaimBody, demoClaimEvent } from './support/demo-bodies';
import { median, nowMs } from './support/measure';

const AROUND = 25;
const SMALL_MARK = 50;
const READS = 20;

const eventsFile = (ledger: SpawnedLedger) => join(ledger.dataDir, 'events.sqlite');

/** Appends `count` ClaimMade events to an incident's stream in the (stopped) ledger's log. */
const seedClaims = async (file: string, incidentId: string, count: number): Promise<void> => {
  const store = new SqliteEventStore({ filename: file });
  try {
    for (let done = 0; done < count; ) {
      const batch = Math.min(500, count - done);
      await store.append(`incident-${incidentId}`, Array.from({ length: batch }, () => demoClaimEvent(incidentId)), { expectedRevision: 'stream_exists' });
      done += batch;
    }
  } finally {
    await store.close();
  }
};

const claimsIn = async (file: string, incidentId: string): Promise<number> => {
  const store = new SqliteEventStore({ filename: file });
  try {
    const events = await store.readStream(`incident-${incidentId}`);
    return events.filter((e) => e.type === storedTypeOf('ClaimMade')).length;
  } finally {
    await store.close();
  }
};

interface Timed {
  ms: number;
  status: number;
  readModels: string | null;
}

const timedRequest = async (ledger: SpawnedLedger, method: string, path: string, body?: unknown): Promise<Timed> => {
  const start = nowMs();
  const res = await ledger.request(method, path, { role: 'recorder', body });
  return { ms: nowMs() - start, status: res.status, readModels: res.headers.get('read-models') };
};

const recordChecks = (ctx: BenchContext, label: string, claims: Timed[]) => {
  const bad = claims.filter((c) => c.status !== 201);
  ctx.check(`${label}: every claim answered 201`, bad.length === 0, `${claims.length - bad.length} of ${claims.length}${bad.length ? `; statuses ${[...new Set(bad.map((c) => c.status))].join(', ')}` : ''}`);
};

runBenchmark('flat-cost', async (ctx) => {
  const mark = ctx.pick('claims on the big incident', 1_000, 5_000);
  ctx.pick('claims on the small incident', SMALL_MARK, SMALL_MARK);
  ctx.pick('claims timed around each mark', 2 * AROUND, 2 * AROUND);

  // First start: parties (demo data), tokens and the two incidents; then the log is filled while the ledger is down.
  let ledger = await spawnBenchLedger();
  const dataDir = ledger.dataDir;
  try {
    await ledger.waitUntilCaughtUp(60_000);
    const [small, big] = await reportIncidents(ledger, 2, 1);
    await ledger.stop();
    const seedStart = nowMs();
    await seedClaims(eventsFile(ledger), small, SMALL_MARK - AROUND);
    await seedClaims(eventsFile(ledger), big, mark - AROUND);
    ctx.say(`seeded ${SMALL_MARK - AROUND} + ${mark - AROUND} claims in ${((nowMs() - seedStart) / 1000).toFixed(1)} s`);

    const tokens = ledger.tokens;
    const restart = nowMs();
    ledger = await spawnBenchLedger({ dataDir });
    await ledger.waitUntilCaughtUp(30 * 60_000);
    ctx.say(`restarted and caught up in ${((nowMs() - restart) / 1000).toFixed(1)} s`);
    if (ledger.tokens.recorder !== tokens.recorder) throw new Error('the restarted ledger has other tokens');

    const smallClaims: Timed[] = [];
    const bigClaims: Timed[] = [];
    const body = demoClaimBody();
    for (let i = 0; i < 2 * AROUND; i++) {
      smallClaims.push(await timedRequest(ledger, 'POST', `/incidents/${small}/claims`, body));
      bigClaims.push(await timedRequest(ledger, 'POST', `/incidents/${big}/claims`, body));
      if (i % 10 === 9) ctx.say(`${i + 1} claims each: last ${smallClaims[i].ms.toFixed(1)} ms at ${SMALL_MARK}, ${bigClaims[i].ms.toFixed(1)} ms at ${mark}`);
    }

    const versionsPath = (id: string) => `/incidents/${id}/versions?limit=100`;
    const health: Timed[] = [];
    const smallVersions: Timed[] = [];
    const bigVersions: Timed[] = [];
    for (let i = 0; i < READS; i++) {
      health.push(await timedRequest(ledger, 'GET', '/health'));
      smallVersions.push(await timedRequest(ledger, 'GET', versionsPath(small)));
      bigVersions.push(await timedRequest(ledger, 'GET', versionsPath(big)));
    }

    const at = (list: Timed[]) => median(list.map((t) => t.ms));
    const smallBaseline = { label: `median of claims #${SMALL_MARK - AROUND + 1}–#${SMALL_MARK + AROUND}`, value: at(smallClaims), unit: 'ms' };
    ctx.figure({ figure: `claim #${mark} (median of #${mark - AROUND + 1}–#${mark + AROUND})`, value: at(bigClaims), unit: 'ms', baseline: smallBaseline, target: { of: 'ratio', op: '<=', threshold: 1.5 } });
    const healthBaseline = { label: 'GET /health median', value: at(health), unit: 'ms' };
    ctx.figure({ figure: `GET versions page at ${mark + AROUND} claims`, value: at(bigVersions), unit: 'ms', baseline: healthBaseline, target: { of: 'value', op: '<=', threshold: 50 } });
    ctx.figure({ figure: `GET versions page at ${SMALL_MARK + AROUND} claims`, value: at(smallVersions), unit: 'ms', baseline: healthBaseline });
    const pending = [...smallClaims, ...bigClaims].filter((c) => c.status === 201 && c.readModels !== 'current').length;
    ctx.figure({ figure: 'claims answered before the read models showed them', value: pending, unit: '', target: { of: 'value', op: '<=', threshold: 0 } });

    recordChecks(ctx, `incident with ${SMALL_MARK} claims`, smallClaims);
    recordChecks(ctx, `incident with ${mark} claims`, bigClaims);
    const reads = [...health, ...smallVersions, ...bigVersions];
    ctx.check('every GET answered 200', reads.every((r) => r.status === 200), `statuses ${[...new Set(reads.map((r) => r.status))].join(', ')}`);

    await ledger.kill();
    for (const [label, id, seeded, sent] of [['small', small, SMALL_MARK - AROUND, smallClaims], ['big', big, mark - AROUND, bigClaims]] as const) {
      const expected = seeded + sent.filter((c) => c.status === 201).length;
      const stored = await claimsIn(eventsFile(ledger), id);
      ctx.check(`${label} incident holds its seeded and acknowledged claims after a crash`, stored === expected, `${stored} stored, ${expected} expected`);
    }
    ctx.note(`incidents filled to 25 below each mark by appending ClaimMade events to the log while the ledger was down; the timed claims went over HTTP one at a time.`);
  } finally {
    await ledger.kill();
    removeDataDir(dataDir);
  }
});
