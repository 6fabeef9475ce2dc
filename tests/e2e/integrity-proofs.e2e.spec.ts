import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { getAs, injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
// The verifier auditors run on their own machines: it shares no code with the ledger.
import { verifyConsistencyBundle, verifyInclusionBundle } from '../../tools/ledger-verifier/ledger-verifier';

describe('checkpoints and proofs over HTTP, checked by the standalone verifier', () => {
  let t: LedgerTestApp;
  let refs: Record<string, string>;
  let keys: { keys: { kid: string; crv: string; kty: string; x: string }[] };

  const post = (url: string, token: string) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });
  /** The event that recorded a claim's first version, as the auditor's claim history names it. */
  const claimEventId = async (claim: string): Promise<string> => {
    const res = await getAs(t.app, t.tokens.auditor, `/audit/incidents/${refs.incident}/claims/${refs[claim]}/history`);
    expect(res.status).toBe(200);
    return res.body.versions[0].eventId as string;
  };

  beforeAll(async () => {
    t = await startLedger();
    refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    keys = (await getAs(t.app, t.tokens.reader, '/.well-known/ledger-keys.json')).body;
  }, 60_000);

  afterAll(() => t.close());

  it('publishes the Ed25519 key without authentication, as a JWK Set', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/ledger-keys.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(keys);
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('signs on demand, answers 200 with the same checkpoint while the log has not grown, and lets only auditors ask', async () => {
    expect((await post('/integrity/checkpoints', t.tokens.recorder)).statusCode).toBe(403);
    const first = await post('/integrity/checkpoints', t.tokens.auditor);
    expect(first.statusCode).toBe(201);
    const again = await post('/integrity/checkpoints', t.tokens.admin);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ keyId: keys.keys[0].kid, origin: 'incident-ledger', treeSize: expect.any(Number) });
  });

  it('proves an event is in the checkpoint, and the standalone verifier accepts the proof and rejects forged ones', async () => {
    const eventId = await claimEventId('az-mod-claim');
    const res = await getAs(t.app, t.tokens.auditor, `/integrity/proofs/inclusion?eventId=${eventId}`);
    expect(res.status).toBe(200);
    const bundle = res.body;
    expect(bundle.event.eventId).toBe(eventId);
    expect(verifyInclusionBundle(bundle, keys)).toMatchObject({ ok: true, problems: [] });

    const forgedEvent = structuredClone(bundle);
    forgedEvent.event.data.statement = `${forgedEvent.event.data.statement} (edited)`;
    expect(verifyInclusionBundle(forgedEvent, keys).ok).toBe(false);
    const forgedRoot = { ...bundle, checkpoint: { ...bundle.checkpoint, rootHash: 'ab'.repeat(32) } };
    expect(verifyInclusionBundle(forgedRoot, keys).ok).toBe(false);
    const forgedPath = { ...bundle, auditPath: [...bundle.auditPath].reverse() };
    expect(bundle.auditPath.length).toBeGreaterThan(1);
    expect(verifyInclusionBundle(forgedPath, keys).ok).toBe(false);
  });

  it('proves a later checkpoint extends an earlier one', async () => {
    const earlier = (await getAs(t.app, t.tokens.auditor, '/integrity/checkpoints')).body.items.at(-1);
    const registered = await t.app.inject({
      method: 'POST',
      url: '/parties',
      headers: { authorization: `Bearer ${t.tokens.recorder}` },
      payload: { partyId: 'minsk-group-field-office', name: 'OSCE field office of the Minsk Group', kind: 'mediator' },
    });
    expect(registered.statusCode).toBe(201);
    expect((await post('/integrity/checkpoints', t.tokens.auditor)).statusCode).toBe(201);
    const res = await getAs(t.app, t.tokens.auditor, `/integrity/proofs/consistency?first=${earlier.treeSize}`);
    expect(res.status).toBe(200);
    expect(res.body.second.treeSize).toBeGreaterThan(earlier.treeSize);
    expect(verifyConsistencyBundle(res.body, keys)).toMatchObject({ ok: true, problems: [] });
    expect(verifyConsistencyBundle({ ...res.body, proof: res.body.proof.slice(1) }, keys).ok).toBe(false);
    const other = { keys: [{ ...keys.keys[0], x: Buffer.alloc(32, 7).toString('base64url') }] };
    expect(verifyConsistencyBundle(res.body, other).ok).toBe(false);
  });

  it('lists the checkpoints a page at a time, oldest first, with how many there are', async () => {
    // Two more, so that there are at least three to page through.
    for (const partyId of ['page-one-observer', 'page-two-observer']) {
      const registered = await t.app.inject({
        method: 'POST',
        url: '/parties',
        headers: { authorization: `Bearer ${t.tokens.recorder}` },
        payload: { partyId, name: `Observer ${partyId}`, kind: 'mediator' },
      });
      expect(registered.statusCode).toBe(201);
      expect((await post('/integrity/checkpoints', t.tokens.auditor)).statusCode).toBe(201);
    }
    const whole = (await getAs(t.app, t.tokens.auditor, '/integrity/checkpoints?limit=500')).body;
    expect(whole.total).toBeGreaterThanOrEqual(3);
    expect(whole.items).toHaveLength(whole.total);
    const sizes = whole.items.map((c: { treeSize: number }) => c.treeSize);
    expect(sizes).toEqual([...sizes].sort((a: number, b: number) => a - b));

    const first = (await getAs(t.app, t.tokens.auditor, '/integrity/checkpoints?limit=2')).body;
    expect(first).toEqual({ items: whole.items.slice(0, 2), offset: 0, limit: 2, total: whole.total });
    const latest = (await getAs(t.app, t.tokens.auditor, `/integrity/checkpoints?offset=${whole.total - 1}&limit=1`)).body;
    expect(latest.items).toEqual([whole.items.at(-1)]);
    expect((await getAs(t.app, t.tokens.auditor, `/integrity/checkpoints?offset=${whole.total}`)).body).toEqual({ items: [], offset: whole.total, limit: 50, total: whole.total });
    // Without a limit, a page of 50: never the whole list of a ledger signed once a minute for years.
    expect((await getAs(t.app, t.tokens.auditor, '/integrity/checkpoints')).body.limit).toBe(50);

    for (const bad of ['limit=0', 'limit=501', 'limit=2.5', 'offset=-1', 'limit=99999999999999999999']) {
      const res = await getAs(t.app, t.tokens.auditor, `/integrity/checkpoints?${bad}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors[0].field).toBe(bad.split('=')[0]);
    }
  });

  it('answers 404 and 400 problems for proofs that cannot exist', async () => {
    const unknown = await getAs(t.app, t.tokens.auditor, '/integrity/proofs/inclusion?eventId=6f1c1b9e-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    const badSize = await getAs(t.app, t.tokens.auditor, '/integrity/proofs/consistency?first=999999');
    expect(badSize).toMatchObject({ status: 404, body: { code: 'no-checkpoint', field: 'first', nearestTreeSizes: { below: expect.any(Number), above: null } } });
    const notNumber = await getAs(t.app, t.tokens.auditor, '/integrity/proofs/consistency?first=abc');
    expect(notNumber.status).toBe(400);
    const badId = await getAs(t.app, t.tokens.auditor, '/integrity/proofs/inclusion?eventId=nope');
    expect(badId.status).toBe(400);
  });

  it('logs every auditor read (who, what, when) in a hash-chained access log, and keeps readers out of it', async () => {
    const before = (await getAs(t.app, t.tokens.admin, '/integrity/access-log?limit=200')).body.items.length;
    t.clock.advance(60_000);
    const asked = await getAs(t.app, t.tokens.auditor, '/integrity/verify');
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ ok: true, findings: [] });
    expect((await getAs(t.app, t.tokens.reader, '/integrity/access-log')).status).toBe(403);

    const log = (await getAs(t.app, t.tokens.admin, '/integrity/access-log?limit=200')).body.items;
    // The first read of the log (logged once answered), then the verify; this read is logged after it is answered.
    expect(log.length).toBe(before + 2);
    expect(log.at(-2)).toMatchObject({ what: 'access-log', principal: 'test-admin' });
    expect(log.at(-1)).toMatchObject({
      what: 'verify',
      principal: 'test-auditor',
      method: 'GET',
      url: '/integrity/verify',
      at: t.clock.now().toISOString(),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(log.map((entry: { what: string }) => entry.what)).toEqual(expect.arrayContaining(['inclusion-proof', 'consistency-proof']));
  });
});
