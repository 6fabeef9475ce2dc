import { existsSync, rmSync } from 'node:fs';
import { AddressInfo, Server, Socket, createServer, connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { READ_MODELS_FILE } from '../../apps/ledger-api/src/application/application.module';
import { DEMO_SCENARIO, Scenario, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { injectSend } from '../support/http';
import { claimBody } from '../support/ledger-bodies';
import mh17 from '../fixtures/scenarios/mh17-2014-2022.scenario.json';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';
import { expectProblem } from '../support/problem-assertions';

// Each comparison reads some 150 URLs (twice around the rebuild): seconds alone, longer beside the whole suite.
jest.setTimeout(60_000);

const get = (ledger: LedgerTestApp, url: string, token = ledger.tokens.reader) => ledger.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

/** Every read the dashboards and auditors make of the demo, as URLs, found by walking the answers themselves. */
const demoReads = async (ledger: LedgerTestApp): Promise<string[]> => {
  const incidents = (await get(ledger, '/incidents?limit=500')).json() as { items: Array<{ incidentId: string }> };
  const parties = (await get(ledger, '/parties?limit=500')).json() as { items: Array<{ partyId: string }> };
  const someParty = parties.items[0].partyId;
  const urls = [
    '/incidents',
    '/incidents?limit=1&offset=1',
    '/incidents?contested=true',
    '/incidents?contested=false',
    `/incidents?party=${someParty}`,
    '/incidents?from=2019-06-01&to=2019-06-30',
    '/incidents?q=line%20contact',
    '/incidents?q=ARMENIA',
    '/incidents?minReliability=B',
    '/incidents?category=battles',
    '/incidents?q=mh17',
    '/incidents?from=2014-07-17&to=2014-07-17',
    '/incidents?minCredibility=2',
    '/stats/parties?limit=3&offset=2',
    '/stats/activity?from=2014-01-01&to=2016-12-31&bucket=month&by=party',
    '/parties',
    '/parties?limit=2&offset=1',
    '/stats/activity',
    '/stats/parties',
    '/stats/parties?q=minist',
    '/stats/incidents-contested',
  ];
  for (const bucket of ['day', 'week', 'month']) {
    for (const clock of ['occurred', 'stated', 'recorded']) {
      for (const by of ['party', 'category', 'none']) urls.push(`/stats/activity?bucket=${bucket}&clock=${clock}&by=${by}`);
    }
    urls.push(`/stats/incidents-contested?bucket=${bucket}`, `/stats/incidents-contested?bucket=${bucket}&clock=recorded&from=2019-01-01`);
  }
  for (const { partyId } of parties.items) urls.push(`/parties/${partyId}`, `/parties/${partyId}?limit=1`, `/parties/${partyId}?limit=2&after=1`);
  for (const { incidentId } of incidents.items) {
    urls.push(`/incidents/${incidentId}`, `/incidents/${incidentId}/versions`, `/incidents/${incidentId}/versions?limit=1`, `/incidents/${incidentId}/timeline`, `/incidents/${incidentId}/casualties`);
    const versions = (await get(ledger, `/incidents/${incidentId}/versions`)).json() as { parties: Array<{ claims: Array<{ claimId: string }> }> };
    for (const claim of versions.parties.flatMap((p) => p.claims)) {
      urls.push(`/incidents/${incidentId}/claims/${claim.claimId}`, `/incidents/${incidentId}/claims/${claim.claimId}/history`, `/incidents/${incidentId}/versions?claim=${claim.claimId}`);
    }
  }
  return urls;
};

/** The answers as the client receives them: status and JSON text. */
const answers = async (ledger: LedgerTestApp, urls: string[]): Promise<Map<string, string>> => {
  const texts = new Map<string, string>();
  for (const url of urls) {
    // A claim's history is an auditor's read (and logged as one); the rest are a reader's.
    const res = await get(ledger, url, url.endsWith('/history') ? ledger.tokens.auditor : ledger.tokens.reader);
    texts.set(url, `${res.statusCode} ${res.body}`);
  }
  return texts;
};

const waitUntilCaughtUp = async (ledger: LedgerTestApp): Promise<void> => {
  const head = await ledger.app.get<EventStore>(EVENT_STORE).headPosition();
  for (let tries = 0; tries < 200; tries++) {
    const status = (await get(ledger, '/admin/read-models', ledger.tokens.admin)).json() as { checkpoint: string; state: string };
    if (status.state === 'live' && BigInt(status.checkpoint) >= head) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the read models did not catch up to ${head}: ${(await get(ledger, '/admin/read-models', ledger.tokens.admin)).body}`);
};

describe('LEDGER_READ_MODELS_URL: the read models live in PostgreSQL and the API answers from them', () => {
  const schema = uniqueName('rm_e2e');
  const ledgerSchema = uniqueName('ledger_e2e');
  const env = { LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: schema, LEDGER_POSTGRES_SCHEMA: ledgerSchema, LEDGER_CHECKPOINT_INTERVAL_MS: '0' };
  let onSqlite: LedgerTestApp | undefined;
  let onPostgres: LedgerTestApp;
  let urls: string[];
  let fromSqlite: Map<string, string>;

  beforeAll(async () => {
    // The demo recorded once, read from the SQLite file; then the same log, with the same tokens, read from PostgreSQL.
    onSqlite = await startLedger({ env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
    await runScenario(DEMO_SCENARIO, injectSend(onSqlite.app, onSqlite.tokens.recorder));
    // A second dispute (eight years, grades, a merge) so that lists, filters and statistics have more than one incident.
    await runScenario(mh17 as Scenario, injectSend(onSqlite.app, onSqlite.tokens.recorder));
    await waitUntilCaughtUp(onSqlite);
    urls = await demoReads(onSqlite);
    fromSqlite = await answers(onSqlite, urls);
    await onSqlite.close({ keepData: true });
    rmSync(join(onSqlite.dataDir, READ_MODELS_FILE), { force: true });
    onPostgres = await startLedger({ dataDir: onSqlite.dataDir, tokens: onSqlite.tokens, env });
    await waitUntilCaughtUp(onPostgres);
  }, 120_000);

  afterAll(async () => {
    await onPostgres?.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql(`DROP SCHEMA IF EXISTS ${ledgerSchema} CASCADE`);
  });

  it('answers every read of the demo (versions, timelines, claim histories, party records, incident lists under filters, statistics) with the SQLite file’s JSON text', async () => {
    expect(urls.length).toBeGreaterThan(60);
    const fromPostgres = await answers(onPostgres, urls);
    for (const url of urls) expect({ url, answer: fromPostgres.get(url) }).toEqual({ url, answer: fromSqlite.get(url) });
    expect([...fromSqlite.values()].filter((a) => a.startsWith('200 ')).length).toBe(urls.length);
  });

  it('keeps no SQLite read-model file beside PostgreSQL, and says where the read models live', async () => {
    expect(existsSync(join(onPostgres.dataDir, READ_MODELS_FILE))).toBe(false);
    const status = (await get(onPostgres, '/admin/read-models', onPostgres.tokens.admin)).json();
    // Alone, this process takes the projector lease at once.
    expect(status).toMatchObject({ store: 'postgresql', schema, state: 'live', lastError: null, leading: true });
    const health = (await get(onPostgres, '/health')).json();
    expect(health.details.projections).toMatchObject({ status: 'up', state: 'live', store: 'postgresql', schema });
    expect((await get(onPostgres, '/health/ready')).statusCode).toBe(200);
  });

  it('answers a write only once PostgreSQL shows it: the claim is in the next read of the versions', async () => {
    const [incident] = ((await get(onPostgres, '/incidents?limit=1')).json() as { items: Array<{ incidentId: string; partyIds: string[] }> }).items;
    const body = { ...claimBody(1), partyId: incident.partyIds[0] };
    for (let i = 0; i < 5; i++) {
      const made = await onPostgres.app.inject({ method: 'POST', url: `/incidents/${incident.incidentId}/claims`, payload: body, headers: { authorization: `Bearer ${onPostgres.tokens.recorder}` } });
      expect(made.statusCode).toBe(201);
      expect(made.headers['read-models']).toBe('current');
      const { claimId } = made.json() as { claimId: string };
      const versions = await get(onPostgres, `/incidents/${incident.incidentId}/versions?claim=${claimId}`);
      expect(versions.statusCode).toBe(200);
      expect(versions.body).toContain(claimId);
    }
  });

  it('refuses bad filters with a 400 problem naming them, as on SQLite', async () => {
    expectProblem(await get(onPostgres, '/incidents?from=not-a-date'), 400, 'validation-failed');
    expectProblem(await get(onPostgres, '/incidents?from=2019-07-01&to=2019-06-01'), 400, 'invalid-date-range');
    expectProblem(await get(onPostgres, '/stats/parties?limit=0'), 400, 'validation-failed');
    // These two pass the DTOs and are refused by the statistics and the view themselves, run over PostgreSQL.
    expect(expectProblem(await get(onPostgres, '/stats/activity?from=2019-07-01&to=2019-06-01'), 400, 'invalid-query').field).toBe('from');
    const [incident] = ((await get(onPostgres, '/incidents?limit=1')).json() as { items: Array<{ incidentId: string }> }).items;
    expect(expectProblem(await get(onPostgres, `/incidents/${incident.incidentId}/timeline?after=9999999999999999999`), 400, 'invalid-query').field).toBe('after');
  });

  it('rebuilds the PostgreSQL read models on the admin’s request, and answers alike afterwards', async () => {
    const before = await answers(onPostgres, urls);
    const rebuilt = await onPostgres.app.inject({ method: 'POST', url: '/admin/read-models/rebuild', headers: { authorization: `Bearer ${onPostgres.tokens.admin}` } });
    expect(rebuilt.statusCode).toBe(200);
    const head = await onPostgres.app.get<EventStore>(EVENT_STORE).headPosition();
    expect(rebuilt.json()).toMatchObject({ store: 'postgresql', state: 'live', checkpoint: head.toString() });
    const reader = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null });
    try {
      expect((await reader.readCheckpoint('ledger-read-models'))?.position).toBe(head);
    } finally {
      await reader.close();
    }
    const after = await answers(onPostgres, urls);
    for (const url of urls) expect({ url, answer: after.get(url) }).toEqual({ url, answer: before.get(url) });
  });

  it('refuses a URL that is not PostgreSQL’s, without echoing it (it may carry a password)', async () => {
    await expect(startLedger({ env: { LEDGER_READ_MODELS_URL: 'mysql://user:secret@db/ledger' } })).rejects.toThrow(/LEDGER_READ_MODELS_URL/);
    await expect(startLedger({ env: { LEDGER_READ_MODELS_URL: 'mysql://user:secret@db/ledger' } })).rejects.not.toThrow(/secret/);
  });
});

describe('LEDGER_READ_MODELS_URL with PostgreSQL unreachable at start', () => {
  it('refuses to start (its API tokens live there), naming the setting and never echoing the URL’s password', async () => {
    // Nothing listens on port 1: every connection is refused at once.
    const start = startLedger({ env: { LEDGER_READ_MODELS_URL: 'postgres://postgres:s3cret@127.0.0.1:1/test', LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
    await expect(start).rejects.toThrow(/ECONNREFUSED/);
    await expect(start).rejects.not.toThrow(/s3cret/);
  });
});

describe('LEDGER_READ_MODELS_URL with PostgreSQL lost after the start, and back', () => {
  const schema = uniqueName('rm_lost');
  const ledgerSchema = uniqueName('ledger_lost');
  let ledger: LedgerTestApp | undefined;
  let proxy: Server | undefined;
  const sockets = new Set<Socket>();

  const forward = async (port: number): Promise<void> => {
    const target = new URL(TEST_POSTGRES_URL);
    proxy = createServer((socket) => {
      const upstream = connectTcp(Number(target.port || 5432), target.hostname);
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => (sockets.delete(socket), upstream.destroy()));
      upstream.on('close', () => (sockets.delete(upstream), socket.destroy()));
    });
    await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));
  };
  const cut = async (): Promise<void> => {
    const closed = new Promise((resolve) => proxy!.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  afterAll(async () => {
    await ledger?.close();
    if (proxy?.listening) await cut();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql(`DROP SCHEMA IF EXISTS ${ledgerSchema} CASCADE`);
  });

  it('answers reads 503 (never a 500) and records writes as pending while PostgreSQL is gone, and is ready again once it is back', async () => {
    await forward(0);
    const port = (proxy!.address() as AddressInfo).port;
    const via = new URL(TEST_POSTGRES_URL);
    via.host = `127.0.0.1:${port}`;
    ledger = await startLedger({ env: { LEDGER_READ_MODELS_URL: via.toString(), LEDGER_READ_MODELS_SCHEMA: schema, LEDGER_POSTGRES_SCHEMA: ledgerSchema, LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
    await waitUntilCaughtUp(ledger);
    expect((await get(ledger, '/incidents')).statusCode).toBe(200);

    await cut();
    for (const url of ['/incidents', '/parties', '/stats/activity', '/incidents/7e2f0b44-1d7a-4c55-8b0e-2019060500c3/versions']) {
      const res = await get(ledger, url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 503 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expectProblem(await get(ledger, '/incidents?limit=0'), 400, 'validation-failed');
    const party = await ledger.app.inject({
      method: 'POST',
      url: '/parties',
      payload: { partyId: 'azerbaijan', name: 'Republic of Azerbaijan', kind: 'state' },
      headers: { authorization: `Bearer ${ledger.tokens.recorder}` },
    });
    expect(party.statusCode).toBe(201);
    expect(party.headers['read-models']).toBe('pending');

    await forward(port);
    let ready = 0;
    for (let i = 0; i < 300 && ready !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = (await get(ledger, '/health/ready')).statusCode;
    }
    expect(ready).toBe(200);
    await waitUntilCaughtUp(ledger);
    expect((await get(ledger, '/parties/azerbaijan')).statusCode).toBe(200);
  }, 60_000);
});
