import { randomUUID } from 'node:crypto';
import { incidentStream, storedTypeOf } from '@ledger/domain';
import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(30_000);

interface Claim {
  claimId: string;
  recordedIn?: string;
  retracted: boolean;
}
interface Versions {
  mergedInto?: string;
  parties: Array<{ claims: Claim[]; denialsMade: Array<{ denialId: string; recordedIn?: string }> }>;
  disagreements: Array<{ kind: string }>;
}

const claimsOf = (doc: Versions): Claim[] => doc.parties.flatMap((p) => p.claims);

describe('merge and split (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    await s.playDemo();
  }, 30_000);

  afterAll(() => t?.close());

  const versions = async (incidentId: string, query = ''): Promise<Versions> => {
    const res = await s.get(`/incidents/${incidentId}/versions${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const twoIncidents = async () => {
    const absorbed = await s.incidentWithClaim(DEMO.azDefence);
    const survivor = await s.incidentWithClaim(DEMO.kda);
    const denial = await s.post(`${absorbed.claimUrl}/denials`, valid.denial(DEMO.kda));
    expect(denial.statusCode).toBe(201);
    return { absorbed, survivor, denialId: denial.json().denialId as string };
  };
  const merge = (absorbedId: string, survivorId: string, headers: Record<string, string> = {}) =>
    s.post(`/incidents/${absorbedId}/merge`, { survivorId, reason: 'The same night on the line of contact' }, headers);

  it('merges: the survivor counts the absorbed claims and denials (marked), the absorbed incident points to it, history shows it', async () => {
    const { absorbed, survivor, denialId } = await twoIncidents();
    const res = await merge(absorbed.incidentId, survivor.incidentId);
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/incidents/${survivor.incidentId}`);
    expect(res.json()).toMatchObject({ survivorId: survivor.incidentId, absorbedId: absorbed.incidentId, absorbedRevision: '3', revision: '2' });
    expect(res.headers.etag).toBe('"2"');

    const doc = await versions(survivor.incidentId);
    expect(claimsOf(doc).map((c) => [c.claimId, c.recordedIn]).sort()).toEqual(
      [
        [survivor.claimId, undefined],
        [absorbed.claimId, absorbed.incidentId],
      ].sort(),
    );
    expect(doc.parties.flatMap((p) => p.denialsMade)).toEqual([expect.objectContaining({ denialId, recordedIn: absorbed.incidentId })]);
    expect(doc.disagreements.map((d) => d.kind)).toContain('denial');

    const pointer = await s.get(`/incidents/${absorbed.incidentId}`);
    expect(pointer.statusCode).toBe(200);
    expect(pointer.json()).toMatchObject({ incidentId: absorbed.incidentId, mergedInto: survivor.incidentId, counts: { claims: 0 } });
    expect(pointer.headers.link).toBe(`</incidents/${survivor.incidentId}>; rel="canonical"`);
    expect(await versions(absorbed.incidentId)).toMatchObject({ mergedInto: survivor.incidentId, parties: expect.any(Array) });

    const absorbedTimeline = (await s.get(`/incidents/${absorbed.incidentId}/timeline`)).json();
    expect(absorbedTimeline.entries.at(-1)).toMatchObject({ kind: 'merged-into', detail: { survivorId: survivor.incidentId } });
    const survivorTimeline = (await s.get(`/incidents/${survivor.incidentId}/timeline`)).json();
    expect(survivorTimeline.entries.at(-1)).toMatchObject({ kind: 'merged', detail: { absorbedId: absorbed.incidentId } });
  });

  it('is idempotent: the same merge again writes nothing and answers the same, with or without its Idempotency-Key', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const key = { 'idempotency-key': `merge-${absorbed.incidentId}` };
    const first = await merge(absorbed.incidentId, survivor.incidentId, key);
    expect(first.statusCode).toBe(201);
    const again = await s.unchanged(() => merge(absorbed.incidentId, survivor.incidentId, key));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const withoutKey = await s.unchanged(() => merge(absorbed.incidentId, survivor.incidentId));
    expect(withoutKey.json()).toMatchObject({ absorbedRevision: first.json().absorbedRevision, revision: first.json().revision, mergeId: first.json().mergeId });
  });

  it('completes a merge a crash interrupted between its two appends when it is sent again', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const append = s.store.append.bind(s.store);
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (stream, events, options) => {
      if (stream === incidentStream(survivor.incidentId)) throw new Error('crash after the commit point');
      return append(stream, events, options);
    });
    const key = { 'idempotency-key': `crash-${absorbed.incidentId}` };
    try {
      expect((await merge(absorbed.incidentId, survivor.incidentId, key)).statusCode).toBe(500);
    } finally {
      spy.mockRestore();
    }
    // The commit point stands: the absorbed incident already refuses claims and points to the survivor.
    const refused = await s.post(`/incidents/${absorbed.incidentId}/claims`, valid.claim(DEMO.osce));
    expect(expectProblem(refused, 422, 'incident-merged')).toMatchObject({ survivorId: survivor.incidentId });
    const healed = await merge(absorbed.incidentId, survivor.incidentId, key);
    expect(healed.statusCode).toBe(201);
    expect((await s.get(`/incidents/${survivor.incidentId}/timeline`)).json().entries.at(-1)).toMatchObject({ kind: 'merged' });
  });

  it('refuses a merge into itself, into an unknown incident, and of an incident merged elsewhere (problem+json, nothing written)', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const other = await s.incidentWithClaim();
    expectProblem(await s.unchanged(() => merge(absorbed.incidentId, absorbed.incidentId)), 422, 'merge-into-itself');
    expectProblem(await s.unchanged(() => merge(absorbed.incidentId, '00000000-0000-4000-8000-000000000000')), 404, 'incident-not-found');
    expectProblem(await s.unchanged(() => merge(absorbed.incidentId, 'not-a-uuid')), 400, 'validation-failed');
    expect((await merge(absorbed.incidentId, survivor.incidentId)).statusCode).toBe(201);
    const elsewhere = expectProblem(await s.unchanged(() => merge(absorbed.incidentId, other.incidentId)), 422, 'incident-merged');
    expect(elsewhere).toMatchObject({ field: 'incidentId', survivorId: survivor.incidentId });
    // Into a merged incident: the problem names the survivor to merge into instead.
    expect(expectProblem(await s.unchanged(() => merge(other.incidentId, absorbed.incidentId)), 422, 'incident-merged')).toMatchObject({
      field: 'survivorId',
      survivorId: survivor.incidentId,
    });
    expectProblem(await s.unchanged(() => merge(survivor.incidentId, absorbed.incidentId)), 422, 'incident-merged');
  });

  it('orders a claim written concurrently to the absorbed incident: before the commit point it is merged, after it refused with a pointer', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const absorbedStream = incidentStream(absorbed.incidentId);
    const append = s.store.append.bind(s.store);
    const racedClaimId = randomUUID();
    let raced = false;
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (stream, events, options) => {
      // Another node's claim lands on the absorbed stream between the merge's read and its append.
      if (stream === absorbedStream && !raced) {
        raced = true;
        await append(absorbedStream, [
          {
            eventId: randomUUID(),
            type: storedTypeOf('ClaimMade'),
            data: { ...valid.claim(DEMO.osce), incidentId: absorbed.incidentId, claimId: racedClaimId, answers: [] },
            metadata: { recordedAt: new Date().toISOString(), recordedBy: 'other-node', correlationId: racedClaimId, causationId: racedClaimId },
          },
        ]);
      }
      return append(stream, events, options);
    });
    const res = await merge(absorbed.incidentId, survivor.incidentId);
    spy.mockRestore();
    expect(res.statusCode).toBe(201);
    // Decided again on the newer state: the absorbed stream holds the raced claim, then the merge.
    expect(raced).toBe(true);
    expect(res.json().absorbedRevision).toBe('4');
    expect(claimsOf(await versions(survivor.incidentId)).find((c) => c.claimId === racedClaimId)).toMatchObject({ recordedIn: absorbed.incidentId });
    expectProblem(await s.unchanged(() => s.post(`/incidents/${absorbed.incidentId}/claims`, valid.claim(DEMO.osce))), 422, 'incident-merged');
  });

  it('records the merge on the survivor whatever is written to it concurrently: its step is decided again on the newer stream', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const survivorStream = incidentStream(survivor.incidentId);
    const append = s.store.append.bind(s.store);
    const racedClaimId = randomUUID();
    let raced = false;
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (stream, events, options) => {
      if (stream === survivorStream && !raced) {
        raced = true;
        await append(survivorStream, [
          {
            eventId: randomUUID(),
            type: storedTypeOf('ClaimMade'),
            data: { ...valid.claim(DEMO.osce), incidentId: survivor.incidentId, claimId: racedClaimId, answers: [] },
            metadata: { recordedAt: new Date().toISOString(), recordedBy: 'other-node', correlationId: racedClaimId, causationId: racedClaimId },
          },
        ]);
      }
      return append(stream, events, options);
    });
    const res = await merge(absorbed.incidentId, survivor.incidentId);
    spy.mockRestore();
    expect(raced).toBe(true);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ revision: '3', absorbedRevision: '3' });
    expect(claimsOf(await versions(survivor.incidentId)).map((c) => c.claimId).sort()).toEqual([absorbed.claimId, survivor.claimId, racedClaimId].sort());
  });

  it('keeps corrections and retractions of an absorbed claim where it was recorded, and counts them in the survivor', async () => {
    const { absorbed, survivor } = await twoIncidents();
    expect((await merge(absorbed.incidentId, survivor.incidentId)).statusCode).toBe(201);
    // Sent to the survivor, where the claim counts, a command on it is recorded in the absorbed stream all the same.
    const denial = await s.post(`/incidents/${survivor.incidentId}/claims/${survivor.claimId}/denials`, valid.denial(DEMO.azDefence));
    expect(denial.statusCode).toBe(201);
    const viaSurvivor = await s.post(`/incidents/${survivor.incidentId}/claims/${absorbed.claimId}/denials`, valid.denial(DEMO.osce));
    expect(viaSurvivor.statusCode).toBe(201);
    const stored = await s.store.readStream(incidentStream(absorbed.incidentId));
    expect(stored.at(-1)).toMatchObject({ type: storedTypeOf('ClaimDenied'), data: { claimId: absorbed.claimId, partyId: DEMO.osce } });
    const unknown = await s.unchanged(() => s.post(`/incidents/${survivor.incidentId}/claims/${randomUUID()}/denials`, valid.denial(DEMO.osce)));
    expectProblem(unknown, 404, 'claim-not-found');
    expect((await s.post(`${absorbed.claimUrl}/retraction`, valid.retraction(DEMO.azDefence))).statusCode).toBe(201);
    const moved = claimsOf(await versions(survivor.incidentId)).find((c) => c.claimId === absorbed.claimId);
    expect(moved).toMatchObject({ retracted: true, recordedIn: absorbed.incidentId });
    // The claim's history still answers under the incident that recorded it.
    const history = await s.get(`/incidents/${absorbed.incidentId}/claims/${absorbed.claimId}/history`, 'auditor');
    expect(history.statusCode).toBe(200);
    expect(history.json()).toMatchObject({ claimId: absorbed.claimId, incidentId: survivor.incidentId, retracted: true });
    const current = await s.get(`/incidents/${absorbed.incidentId}/claims/${absorbed.claimId}`);
    expect(current.statusCode).toBe(200);
  });

  it('as of before the merge shows the incidents apart, after it together', async () => {
    const { absorbed, survivor } = await twoIncidents();
    const before = await s.head();
    expect((await merge(absorbed.incidentId, survivor.incidentId)).statusCode).toBe(201);
    const asOf = async (incidentId: string, position: bigint) => {
      const res = await s.get(`/audit/incidents/${incidentId}/versions?position=${position}`, 'auditor');
      expect(res.statusCode).toBe(200);
      return res.json() as Versions;
    };
    expect(claimsOf(await asOf(survivor.incidentId, before)).map((c) => c.claimId)).toEqual([survivor.claimId]);
    expect(claimsOf(await asOf(absorbed.incidentId, before)).map((c) => c.claimId)).toEqual([absorbed.claimId]);
    const after = await s.head();
    expect(claimsOf(await asOf(survivor.incidentId, after))).toHaveLength(2);
    expect(await asOf(absorbed.incidentId, after)).toMatchObject({ mergedInto: survivor.incidentId });
  });

  it('splits chosen claims into a new incident, idempotently, and refuses a claim moved twice', async () => {
    const source = await s.incidentWithClaim(DEMO.azDefence);
    const second = await s.post(`/incidents/${source.incidentId}/claims`, valid.claim(DEMO.kda));
    const movedId = second.json().claimId as string;
    const body = { claimIds: [movedId], reason: 'The Karabakh army speaks of another night', incident: valid.incident('Another night on the line of contact') };
    const key = { 'idempotency-key': `split-${source.incidentId}` };
    const res = await s.post(`/incidents/${source.incidentId}/splits`, body, key);
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(res.headers.location).toBe(`/incidents/${created.incidentId}`);
    expect(created).toMatchObject({ sourceId: source.incidentId, sourceRevision: '3', revision: '1' });

    expect(claimsOf(await versions(created.incidentId))).toEqual([expect.objectContaining({ claimId: movedId, recordedIn: source.incidentId })]);
    expect(claimsOf(await versions(source.incidentId)).map((c) => c.claimId)).toEqual([source.claimId]);
    expect((await s.get(`/incidents/${created.incidentId}`)).json()).toMatchObject({ title: 'Another night on the line of contact', counts: { claims: 1 } });

    const again = await s.unchanged(() => s.post(`/incidents/${source.incidentId}/splits`, body, key));
    expect(again.json()).toEqual(created);
    expect(expectProblem(await s.unchanged(() => s.post(`/incidents/${source.incidentId}/splits`, body)), 422, 'claim-moved')).toMatchObject({ field: 'claimIds[0]' });
    expectProblem(await s.unchanged(() => s.post(`/incidents/${source.incidentId}/splits`, { ...body, claimIds: [] })), 400, 'validation-failed');
    const badReport = { ...body, claimIds: [source.claimId], incident: { ...body.incident, occurred: { from: '2019-06-02', to: '2019-06-01', precision: 'day' } } };
    expect((await s.unchanged(() => s.post(`/incidents/${source.incidentId}/splits`, badReport))).statusCode).toBe(422);
  });

  it('completes a split a crash interrupted between its two appends when it is sent again, even without an Idempotency-Key', async () => {
    const source = await s.incidentWithClaim(DEMO.azDefence);
    const body = { claimIds: [source.claimId], reason: 'Another night', incident: valid.incident('Another night, again') };
    const sourceStream = incidentStream(source.incidentId);
    const append = s.store.append.bind(s.store);
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (stream, events, options) => {
      if (stream !== sourceStream && stream.startsWith('incident-')) throw new Error('crash after the commit point');
      return append(stream, events, options);
    });
    try {
      expect((await s.post(`/incidents/${source.incidentId}/splits`, body)).statusCode).toBe(500);
    } finally {
      spy.mockRestore();
    }
    const committed = (await s.store.readStream(sourceStream)).at(-1)!;
    expect(committed.type).toBe(storedTypeOf('IncidentSplit'));
    const newIncidentId = (committed.data as { newIncidentId: string }).newIncidentId;
    const healed = await s.post(`/incidents/${source.incidentId}/splits`, body);
    expect(healed.statusCode).toBe(201);
    expect(healed.json()).toMatchObject({ incidentId: newIncidentId, splitId: (committed.data as { splitId: string }).splitId });
    expect((await s.get(`/incidents/${newIncidentId}`)).json()).toMatchObject({ title: 'Another night, again', counts: { claims: 1 } });
  });

  it('leaves the ledger verifiable after merges and splits', async () => {
    const res = await s.get('/integrity/verify', 'auditor');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, findings: [] });
  });
});
