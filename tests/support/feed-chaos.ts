import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { RecordedEvent } from '@ledger/event-store';
import { entityId } from '../../apps/ledger-api/src/application/idempotency';
import { hashToken, TokenEntry } from '../../apps/ledger-api/src/platform';
import {
  asSdkCloudEvent,
  claimMadeEvent,
  concernsParty,
  isLedgerEvent,
  listen,
  orderProblems,
  readWholeLog,
  storeOf,
  StreamSockets,
  Subscriber,
  waitUntil,
} from './feed-clients';
import type { LedgerTestApp } from './ledger-test-app';
import { valid } from './ledger-session';

/**
 * Many ledger events written while several EventSource subscribers (unfiltered, per incident, per party, per type,
 * with a scoped token, and one that closes and reopens itself with `from`) read the live feed, and the server cuts
 * their connections at random. Each must end up with exactly the events a filtered read of the log gives.
 */

/**
 * Speakers of the written claims. Many of them, because the read models (same process) rewrite a party's whole record
 * on each of its claims: 10,000 claims by 4 parties would cost them minutes of CPU, by 16 parties a fraction of it.
 */
export const CHAOS_PARTIES = Array.from({ length: 16 }, (_, i) => `feed-x-${String.fromCharCode(97 + i)}`);
const SCOPED_INCIDENT_KEY = 'feed-chaos-incident-0';
/** The first incident's id, known before it exists (recorder + Idempotency-Key), so that a token can be scoped to it. */
export const CHAOS_SCOPED_INCIDENT = entityId({ principal: 'test-recorder', idempotencyKey: SCOPED_INCIDENT_KEY }, 'incident', randomUUID);
export const CHAOS_SCOPED_TOKEN = 'feed-chaos-scoped-integrator';
/** Its incident, or anything of or about feed-x-d. */
export const chaosScopedToken = (): TokenEntry => ({
  principal: 'integrator-scoped',
  roles: ['integrator'],
  sha256: hashToken(CHAOS_SCOPED_TOKEN),
  scope: { incidents: [CHAOS_SCOPED_INCIDENT], parties: ['feed-x-d'] },
});

export interface ChaosOptions {
  /** Ledger events written while the subscribers listen (store batches + HTTP commands). */
  events: number;
  /**
   * Incident streams the store batches go to, concurrently (one writer each). The read models' cost per claim grows
   * with the number of claims already in its incident, and they run in the same process: 10,000 claims over 4
   * incidents cost them ~100 s of CPU on a 2-core machine, over 20 incidents ~20 s.
   */
  incidents: number;
  /** Rounds of HTTP commands (claim, denial, retraction: 3 events each) among them. */
  httpRounds: number;
  /** Largest store batch; batches are 1..maxBatch events. */
  maxBatch: number;
  /** Pause between a writer's batches, so that the writes span the run and cuts land while streams are live. */
  pauseMs: number;
  /** A server-side socket of a stream is destroyed every killEveryMs (± half). */
  killEveryMs: number;
  /** How long the subscribers may take to catch up once the writing ends. */
  settleMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  subscribers: Array<{
    name: string;
    expected: number;
    received: number;
    /** Connections opened after the first: automatic reconnects with Last-Event-ID, plus the manual reopenings with `from`. */
    reconnects: number;
    /** Of those, how many times the client was closed and re-created with `from`. */
    reopened: number;
    cutOffs: number;
    problems: string[];
  }>;
  written: number;
  killed: number;
  writeMs: number;
  settleMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runFeedChaos(t: LedgerTestApp, options: ChaosOptions): Promise<{ report: ChaosReport; mismatches: string[] }> {
  const log = options.log ?? (() => undefined);
  const base = await listen(t.app);
  const server = t.app.getHttpServer() as Server;
  const sockets = new StreamSockets(server);
  const store = storeOf(t.app);

  // A command races the writers on its incident's stream and may lose (503 write-contention): retried as a client would.
  const http = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, any>> => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.tokens.recorder}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, any>;
      if (res.status === 201) return json;
      if (res.status !== 503 || attempt === 10) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
      await sleep(100 * attempt);
    }
  };

  for (const party of CHAOS_PARTIES) await http('/parties', valid.party(party));
  const incidents = [
    (await http('/incidents', valid.incident('Chaos incident 0'), { 'idempotency-key': SCOPED_INCIDENT_KEY })).incidentId as string,
  ];
  if (incidents[0] !== CHAOS_SCOPED_INCIDENT) throw new Error('the scoped incident id did not come out as derived');
  for (let i = 1; i < options.incidents; i++) incidents.push((await http('/incidents', valid.incident(`Chaos incident ${i}`))).incidentId as string);
  const startHead = await store.headPosition();

  const stream = (query: string) => (from: bigint | undefined) =>
    `${base}/feed/stream?${[query, from === undefined ? '' : `from=${from}`].filter(Boolean).join('&')}`;
  const subscribers = [
    new Subscriber('all', stream(''), t.tokens.integrator),
    new Subscriber('incident', stream(`incident=${incidents[1]}`), t.tokens.integrator),
    new Subscriber('party', stream('party=feed-x-b'), t.tokens.integrator),
    new Subscriber('type', stream('type=ClaimDenied.v2&type=ClaimRetracted.v1&type=IncidentReported.v2'), t.tokens.integrator),
    new Subscriber('scoped-token', stream(''), CHAOS_SCOPED_TOKEN),
    new Subscriber('reopened-with-from', stream(''), t.tokens.integrator),
  ];
  const reopened = subscribers[5];
  let reopenedTimes = 0;
  for (const s of subscribers) s.connect();
  let chaos = true;
  try {
    return await chaosRun();
  } finally {
    chaos = false;
    for (const s of subscribers) s.close();
  }

  async function chaosRun(): Promise<{ report: ChaosReport; mismatches: string[] }> {

  // Cuts at random, from the server side, as a flaky network or a proxy would.
  const chaosLoop = (async () => {
    while (chaos) {
      await sleep(options.killEveryMs / 2 + Math.random() * options.killEveryMs);
      if (chaos) sockets.killRandom();
    }
  })();
  // The integrator that restarts its own process: closes, then opens a new client from its last position.
  // Once a second with something received since: counted in events (every 1,500) it reopened only twice in one CI run,
  // where its stream lagged through the writes and caught up after them.
  const reopenLoop = (async () => {
    let mark = 0;
    let lastReopen = Date.now();
    while (chaos) {
      await sleep(100);
      if (Date.now() - lastReopen >= 1000 && reopened.received.length > mark) {
        mark = reopened.received.length;
        lastReopen = Date.now();
        reopened.close();
        reopened.connect(reopened.last);
        reopenedTimes += 1;
      }
    }
  })();

  const started = Date.now();
  const storeEvents = options.events - 3 * options.httpRounds;
  let remaining = storeEvents;
  const take = (): number => {
    const n = Math.min(remaining, 1 + Math.floor(Math.random() * options.maxBatch));
    remaining -= n;
    return n;
  };
  const writers = incidents.map(async (incident, w) => {
    for (let n = take(); n > 0; n = take()) {
      const speaker = CHAOS_PARTIES[Math.floor(Math.random() * CHAOS_PARTIES.length)];
      const named = [CHAOS_PARTIES[(w + n) % CHAOS_PARTIES.length]];
      const batch = Array.from({ length: n }, (_, i) => claimMadeEvent(incident, speaker, named, `writer ${w} event ${i} of ${n}`));
      await store.append(`incident-${incident}`, batch);
      await sleep(options.pauseMs);
    }
  });
  // Rounds run side by side, each started a little later: every command waits up to 3 s for the read models, which
  // lag while thousands of events pour in, so one after the other they would take minutes.
  const commands = Array.from({ length: options.httpRounds }, async (_, round) => {
    await sleep(round * options.pauseMs * 3);
    {
      const incident = incidents[round % incidents.length];
      const claimant = CHAOS_PARTIES[round % 4];
      const denier = CHAOS_PARTIES[(round + 1) % 4];
      const claim = await http(`/incidents/${incident}/claims`, {
        ...valid.claim(claimant, `HTTP claim ${round}`),
        assertions: { responsibleParties: [denier], ceasefire: { violated: true, by: [denier] } },
      });
      await http(`/incidents/${incident}/claims/${claim.claimId}/denials`, valid.denial(denier));
      await http(`/incidents/${incident}/claims/${claim.claimId}/retraction`, valid.retraction(claimant));
    }
  });
  await Promise.all([...writers, ...commands]);
  const writeMs = Date.now() - started;
  log(`wrote ${options.events} events in ${writeMs} ms; ${sockets.killed} connections cut so far`);

  const readStarted = Date.now();
  const whole = await readWholeLog(store);
  log(`read the whole log (${whole.length} events) in ${Date.now() - readStarted} ms`);
  const ledger = whole.filter(isLedgerEvent);
  const written = ledger.filter((e) => e.position > startHead).length;
  const about = concernsParty(ledger);
  const expected: Record<string, RecordedEvent[]> = {
    all: ledger,
    incident: ledger.filter((e) => e.streamName === `incident-${incidents[1]}`),
    party: ledger.filter((e) => about(e, 'feed-x-b')),
    type: ledger.filter((e) => ['ClaimDenied.v2', 'ClaimRetracted.v1', 'IncidentReported.v2'].includes(e.type)),
    'scoped-token': ledger.filter((e) => e.streamName === `incident-${CHAOS_SCOPED_INCIDENT}` || about(e, 'feed-x-d')),
    'reopened-with-from': ledger,
  };

  // Cuts go on while the subscribers catch up, then stop so that they can finish.
  const settleStart = Date.now();
  const caughtUp = () => subscribers.every((s) => s.received.length >= expected[s.name].length);
  await waitUntil(caughtUp, options.settleMs / 2, () => '').catch(() => undefined);
  chaos = false;
  await Promise.all([chaosLoop, reopenLoop]);
  await waitUntil(caughtUp, options.settleMs, () =>
    subscribers.map((s) => `${s.name} ${s.received.length}/${expected[s.name].length}`).join(', '),
  ).catch((error: Error) => log(error.message));
  // Anything extra (a duplicate) would arrive right behind: give it a moment to show.
  await sleep(300);
  const settleMs = Date.now() - settleStart;
  for (const s of subscribers) s.close();

  const mismatches: string[] = [];
  const report: ChaosReport = { subscribers: [], written, killed: sockets.killed, writeMs, settleMs };
  for (const s of subscribers) {
    const want = expected[s.name];
    const problems = orderProblems(s.received);
    const got = s.received.map((r) => `${r.position}:${String(r.event.id)}`);
    const wanted = want.map((e) => `${e.position}:${e.eventId}`);
    if (got.length !== wanted.length || got.some((g, i) => g !== wanted[i])) {
      const at = got.findIndex((g, i) => g !== wanted[i]);
      problems.push(`received ${got.length}, expected ${wanted.length}; first difference at #${at}: got ${got[at]}, expected ${wanted[at]}`);
    }
    // The CloudEvents SDK accepts them (a sample: first, middle, last).
    for (const r of [s.received[0], s.received[s.received.length >> 1], s.received.at(-1)]) {
      if (!r) continue;
      try {
        const sdk = asSdkCloudEvent(r.event);
        if (sdk.position !== r.id) problems.push(`SDK event position ${String(sdk.position)} != id ${r.id}`);
      } catch (error) {
        problems.push(`not a valid CloudEvent: ${(error as Error).message}`);
      }
    }
    report.subscribers.push({
      name: s.name,
      expected: want.length,
      received: s.received.length,
      reconnects: s.reconnects,
      reopened: s === reopened ? reopenedTimes : 0,
      cutOffs: s.cutOffs.length,
      problems,
    });
    if (problems.length > 0) mismatches.push(`${s.name}: ${problems.join('; ')}`);
  }
  log(
    [
      `feed chaos: ${written} events written in ${writeMs} ms, ${sockets.killed} stream connections cut server-side, settled in ${settleMs} ms`,
      ...report.subscribers.map(
        (s) => `  ${s.name.padEnd(20)} ${String(s.received).padStart(6)}/${String(s.expected).padEnd(6)} events, ${s.reconnects} reconnects${s.reopened ? ` (${s.reopened} of them re-created with from)` : ''}${s.cutOffs ? `, ${s.cutOffs} cut-offs` : ''}`,
      ),
    ].join('\n'),
  );
  return { report, mismatches };
  }
}
