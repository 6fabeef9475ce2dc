import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ClaimHistoryDoc, LEDGER_TABLES, PartyRecordDoc, PartyVersionsDoc, SqliteReadModelStore } from '@ledger/read-models';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { getAs, injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

const FIVE_PARTIES = [
  'azerbaijan-defence-ministry',
  'azerbaijan-foreign-ministry',
  'karabakh-defense-army',
  'armenia-foreign-ministry',
  'osce-minsk-group-co-chairs',
];

describe('the seed article, recorded through the HTTP API', () => {
  let t: LedgerTestApp;
  let refs: Record<string, string>;
  let versions: PartyVersionsDoc;
  const party = (id: string) => versions.parties.find((p) => p.partyId === id)!;

  beforeAll(async () => {
    t = await startLedger();
    refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    const res = await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/versions`);
    expect(res.status).toBe(200);
    versions = res.body;
  }, 60_000);

  afterAll(() => t.close());

  it('shows the five parties that spoke, in the order they first spoke', () => {
    expect(versions.parties.map((p) => p.partyId)).toEqual(FIVE_PARTIES);
  });

  it('shows who blames whom, and that the mediators blame no one', () => {
    const blamed = Object.fromEntries(versions.parties.map((p) => [p.partyId, p.currentAccount.responsibleParties?.value ?? null]));
    expect(blamed).toEqual({
      'azerbaijan-defence-ministry': ['karabakh-defense-army'],
      'azerbaijan-foreign-ministry': ['armenia'],
      'karabakh-defense-army': ['azerbaijan-defence-ministry'],
      'armenia-foreign-ministry': ['azerbaijan'],
      'osce-minsk-group-co-chairs': null,
    });
    const responsibility = versions.disagreements.find((d) => d.kind === 'responsible-parties');
    expect(responsibility?.positions.map((p) => p.partyId).sort()).toEqual(FIVE_PARTIES.filter((p) => !p.startsWith('osce')).sort());
  });

  it('shows the casualty each side reports, with the corrected rank and the amended spelling', () => {
    expect(party('azerbaijan-defence-ministry').currentAccount.casualties?.value).toEqual([
      {
        side: 'azerbaijan-defence-ministry',
        killed: { best: 1 },
        named: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }],
      },
    ]);
    expect(party('karabakh-defense-army').currentAccount.casualties?.value).toEqual([
      { side: 'karabakh-defense-army', killed: { best: 1 }, named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' }] },
    ]);
  });

  it("links the Karabakh army's denial to the Azerbaijani claim it denies", () => {
    const azClaim = party('azerbaijan-defence-ministry').claims[0];
    expect(azClaim.claimId).toBe(refs['az-mod-claim']);
    expect(azClaim.denials).toEqual([
      expect.objectContaining({ denialId: refs['kda-denial'], partyId: 'karabakh-defense-army', deniedAssertions: ['ceasefire', 'responsibleParties'] }),
    ]);
    expect(party('karabakh-defense-army').denialsMade).toEqual([
      expect.objectContaining({ denialId: refs['kda-denial'], claimId: refs['az-mod-claim'], claimPartyId: 'azerbaijan-defence-ministry' }),
    ]);
    const denial = versions.disagreements.find((d) => d.kind === 'denial' && d.positions.some((p) => p.denialId === refs['kda-denial']));
    expect(denial?.deniedAssertions).toEqual(['ceasefire', 'responsibleParties']);
  });

  it('keeps the denial on the version it denied (1) after the ministry corrected its claim to version 2', async () => {
    const azClaim = party('azerbaijan-defence-ministry').claims[0];
    expect(azClaim.version).toBe(2);
    expect(azClaim.denials).toEqual([expect.objectContaining({ denialId: refs['kda-denial'], claimVersion: 1 })]);
    expect(azClaim.versions.map((v) => [v.version, v.deniedBy])).toEqual([[1, [refs['kda-denial']]], [2, []]]);
    expect(azClaim.currentVersionDenied).toBe(false);
    const history = await getAs(t.app, t.tokens.auditor, `/incidents/${refs.incident}/claims/${refs['az-mod-claim']}/history`);
    expect(history.status).toBe(200);
    expect((history.body as ClaimHistoryDoc).versions.map((v) => v.deniedBy)).toEqual([[refs['kda-denial']], []]);
    const current = await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/claims/${refs['az-mod-claim']}`);
    expect(current.body).toMatchObject({ currentVersion: 2, currentVersionDenied: false, denials: [{ denialId: refs['kda-denial'], claimVersion: 1 }] });
  });

  it('registers parties of the kinds a long dispute brings, with a free description, and shows them in the registry and its CSV', async () => {
    const send = injectSend(t.app, t.tokens.recorder);
    const body = { partyId: 'joint-investigation-team', name: 'Joint Investigation Team', kind: 'investigative-body', description: 'Criminal investigation by five states', aliases: ['JIT'] };
    expect((await send({ method: 'POST', url: '/parties', body, headers: {} })).status).toBe(201);
    const read = await getAs(t.app, t.tokens.reader, '/parties/joint-investigation-team');
    expect(read.body).toMatchObject({ kind: 'investigative-body', description: 'Criminal investigation by five states' });
    const csv = await t.app.inject({ method: 'GET', url: '/parties?format=csv&limit=100', headers: { authorization: `Bearer ${t.tokens.reader}` } });
    expect(csv.body.split('\n')[0]).toContain('description');
    expect(csv.body).toContain('Criminal investigation by five states');
  });

  it('records the mutual accusations of the two foreign ministries as answers and a denial', () => {
    const armenian = party('armenia-foreign-ministry').claims[0];
    expect(armenian.answers).toEqual([refs['az-mfa-claim']]);
    expect(armenian.denials.map((d) => d.partyId)).toEqual(['azerbaijan-foreign-ministry']);
  });

  it('shows the correction as version 2 in the claim history, with its reason and the field that changed', async () => {
    const res = await getAs(t.app, t.tokens.auditor, `/incidents/${refs.incident}/claims/${refs['az-mod-claim']}/history`);
    const history = res.body as ClaimHistoryDoc;
    expect(history.currentVersion).toBe(2);
    expect(history.versions.map((v) => v.kind)).toEqual(['made', 'corrected']);
    expect(history.versions[1].reason).toBe('The ministry identified the victim as a mid-ranking officer.');
    expect(history.versions[1].changes).toContainEqual({ path: 'assertions.casualties[0].named[0].role', from: 'serviceman', to: 'mid-ranking officer' });
    expect(history.versions[1].recordedBy).toBe('test-recorder');
    expect(history.amendments).toEqual([]);
  });

  it("keeps the ledger's own amendment apart from the party's corrections", async () => {
    const res = await getAs(t.app, t.tokens.auditor, `/incidents/${refs.incident}/claims/${refs['kda-claim']}/history`);
    const history = res.body as ClaimHistoryDoc;
    expect(history.versions).toHaveLength(1);
    expect(history.amendments).toEqual([
      expect.objectContaining({
        target: 'claim',
        version: 1,
        reason: "Transcription error: the report spells the soldier's name Sipan Melkonian.",
        changes: expect.arrayContaining([{ path: 'assertions.casualties[0].named[0].name', from: 'Sipan Melkonyan', to: 'Sipan Melkonian' }]),
      }),
    ]);
  });

  it('lists the incident as contested, filterable by party and category', async () => {
    const all = await getAs(t.app, t.tokens.reader, '/incidents');
    expect(all.body.total).toBe(1);
    expect(all.body.items[0]).toMatchObject({ incidentId: refs.incident, contested: true, partyIds: [...FIVE_PARTIES].sort() });
    expect(all.body.items[0].counts).toEqual({ claims: 5, activeClaims: 5, denials: 2, corrections: 1, retractions: 0, amendments: 1 });
    expect((await getAs(t.app, t.tokens.reader, '/incidents?party=osce-minsk-group-co-chairs')).body.total).toBe(1);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?party=armenia')).body.total).toBe(0);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?category=battles')).body.total).toBe(1);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?category=explosions-remote-violence')).body.total).toBe(0);
    // The closed list of v1 is no filter any more: 400 naming the parameter.
    expect((await getAs(t.app, t.tokens.reader, '/incidents?category=shelling')).status).toBe(400);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?contested=false')).body.total).toBe(0);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?from=2019-06-01&to=2019-06-30')).body.total).toBe(1);
    expect((await getAs(t.app, t.tokens.reader, '/incidents?from=2019-07-01')).body.total).toBe(0);
  });

  it("keeps each party's record across incidents: claims, corrections, denials made and received", async () => {
    const az = (await getAs(t.app, t.tokens.reader, '/parties/azerbaijan-defence-ministry')).body as PartyRecordDoc;
    const kda = (await getAs(t.app, t.tokens.reader, '/parties/karabakh-defense-army')).body as PartyRecordDoc;
    expect(az.counts).toMatchObject({ incidents: 1, claims: 1, corrections: 1, retractions: 0, denialsMade: 0, denialsReceived: 1 });
    expect(kda.counts).toMatchObject({ incidents: 1, claims: 1, corrections: 0, denialsMade: 1, denialsReceived: 0 });
    expect(kda.affiliation).toEqual({ partyId: 'armenia', description: 'Armenian-backed' });
  });

  it('tells the incident in recorded order on its timeline', async () => {
    const timeline = (await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/timeline`)).body;
    expect(timeline.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'reported',
      'claim',
      'claim',
      'claim',
      'denial',
      'claim',
      'denial',
      'claim',
      'correction',
      'amendment',
    ]);
    const positions = timeline.entries.map((e: { position: string }) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it('serves the incident with an ETag equal to the revision of its last event', async () => {
    const store = t.app.get<EventStore>(EVENT_STORE);
    const revision = await store.streamRevision(`incident-${refs.incident}`);
    const res = await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}`);
    expect(res.headers.etag).toBe(`"${revision}"`);
  });

  it('rebuilds the read models from the log into exactly the incrementally built state', async () => {
    const readModels = t.app.get(SqliteReadModelStore);
    const before = readModels.dump();
    expect(Object.keys(before).sort()).toEqual(LEDGER_TABLES.map((t) => t.name).sort());
    const res = await t.app.inject({ method: 'POST', url: '/admin/read-models/rebuild', headers: { authorization: `Bearer ${t.tokens.admin}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'live', checkpoint: (await t.app.get<EventStore>(EVENT_STORE).headPosition()).toString() });
    expect(readModels.dump()).toEqual(before);
  });

  it('comes back identical after a restart on the same data', async () => {
    const before = t.app.get(SqliteReadModelStore).dump();
    t = await t.restart();
    expect(t.app.get(SqliteReadModelStore).dump()).toEqual(before);
    const again = await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/versions`);
    expect(again.body).toEqual(versions);
  });

  it('plays the scenario a second time without writing anything: every step is idempotent', async () => {
    const store = t.app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    const again = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    expect(again).toEqual(refs);
    expect(await store.headPosition()).toBe(head);
  });

  it('reports an incident by ACLED type with tags, a toll of unattributed victims and coordinates, and shows them in the list and its CSV', async () => {
    const send = injectSend(t.app, t.tokens.recorder);
    const body = {
      title: 'Airliner brought down over the conflict zone',
      summary: 'All 298 on board killed.',
      occurred: { from: '2014-07-17T13:20:00Z', to: '2014-07-17T13:20:00Z', precision: 'exact' },
      location: { name: 'Near Hrabove', precision: 'settlement', coordinates: { lat: 48.127, lon: 38.641 } },
      category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: ['aircraft-downing'] },
      toll: [{ category: 'civilians', nationality: 'NL', killed: { best: 196 } }, { killed: { best: 298 } }],
    };
    const created = await send({ method: 'POST', url: '/incidents', body, headers: {} });
    expect(created.status).toBe(201);
    const id = (created.body as { incidentId: string }).incidentId;
    const listed = await getAs(t.app, t.tokens.reader, '/incidents?category=explosions-remote-violence');
    expect(listed.body.items).toEqual([expect.objectContaining({ incidentId: id, category: body.category, toll: body.toll, location: body.location })]);
    const csv = await t.app.inject({ method: 'GET', url: '/incidents?format=csv&category=explosions-remote-violence', headers: { authorization: `Bearer ${t.tokens.reader}` } });
    const [header, row] = csv.body.trim().split('\n');
    expect(header).toContain('location.coordinates.lat');
    expect(header).toContain('category.subEventType');
    expect(row).toContain('48.127');
    const wrongSub = await send({ method: 'POST', url: '/incidents', body: { ...body, category: { eventType: 'battles', subEventType: 'air-drone-strike' } }, headers: {} });
    expect(wrongSub).toMatchObject({ status: 422, body: { code: 'sub-event-type-mismatch', field: 'category.subEventType' } });
    const noSide = await send({ method: 'POST', url: '/incidents', body: { ...body, toll: [{ side: 'civilians', killed: { best: 1 } }] }, headers: {} });
    expect(noSide).toMatchObject({ status: 422, body: { code: 'unknown-party', field: 'toll[0].side' } });
  });
});
