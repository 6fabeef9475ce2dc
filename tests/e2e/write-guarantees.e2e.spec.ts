import { randomUUID } from 'node:crypto';
import type { Response } from 'light-my-request';
import { incidentStream } from '@ledger/domain';
import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(20_000);

const revisionOf = (etag: unknown): bigint => {
  expect(etag).toMatch(/^"\d+"$/);
  return BigInt(JSON.parse(etag as string));
};

/** What every accepted command answers: 201, Location, ETag = the stream revision, Ledger-Position = the global position. */
const expectCreated = (res: Response): { revision: bigint; location: string } => {
  expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: 201 });
  const body = res.json();
  const revision = revisionOf(res.headers.etag);
  expect(body.revision).toBe(revision.toString());
  expect(res.headers['ledger-position']).toBe(body.position);
  expect(res.headers.location).toMatch(/^\//);
  // The command answers once the read models show it, so the next GET sees the write.
  expect(res.headers['read-models']).toBe('current');
  return { revision, location: res.headers.location as string };
};

describe('write guarantees (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    await s.playDemo();
  }, 30_000);

  afterAll(() => t?.close());

  const incidentEtag = async (incidentId: string): Promise<bigint> => {
    const res = await s.get(`/incidents/${incidentId}`);
    expect(res.statusCode).toBe(200);
    return revisionOf(res.headers.etag);
  };
  const newIncident = async (): Promise<string> => (await s.post('/incidents', valid.incident())).json().incidentId;

  /** Counts append conflicts on one stream, to show whether writers raced. */
  const countConflicts = (streamName: string) => {
    const append = s.store.append.bind(s.store);
    const state = { conflicts: 0 };
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (...args) => {
      try {
        return await append(...args);
      } catch (error) {
        if (args[0] === streamName) state.conflicts++;
        throw error;
      }
    });
    return { state, restore: () => spy.mockRestore() };
  };

  /**
   * Another process (a second API node, the CLI) appends to the stream just
   * before each of the first `times` appends of the command reach the store,
   * after the command was decided, so each of them meets a revision conflict;
   * counts them.
   */
  const foreignWriterBeforeAppends = (incidentId: string, times: number) => {
    const streamName = incidentStream(incidentId);
    const append = s.store.append.bind(s.store);
    const state = { conflicts: 0 };
    let left = times;
    const spy = jest.spyOn(s.store, 'append').mockImplementation(async (stream, events, options) => {
      if (stream !== streamName) return append(stream, events, options);
      if (left > 0) {
        left--;
        const claimId = randomUUID();
        await append(streamName, [
          {
            eventId: randomUUID(),
            type: 'ClaimMade.v1',
            data: { ...valid.claim(DEMO.osce), incidentId, claimId, answers: [], assertions: {} },
            metadata: { recordedAt: new Date().toISOString(), recordedBy: 'other-node', correlationId: claimId, causationId: claimId },
          },
        ]);
      }
      try {
        return await append(stream, events, options);
      } catch (error) {
        state.conflicts++;
        throw error;
      }
    });
    return { state, restore: () => spy.mockRestore() };
  };

  describe('201, Location and ETag', () => {
    it('every command on an incident answers the next revision, which GET /incidents/:id then reports', async () => {
      const reported = await s.post('/incidents', valid.incident());
      const incidentId = reported.json().incidentId as string;
      const steps: Array<[string, () => [string, unknown]]> = [];
      let azClaim = '';
      let kdaClaim = '';
      steps.push(['make claim', () => [`/incidents/${incidentId}/claims`, valid.claim(DEMO.azDefence)]]);
      steps.push(['make another claim', () => [`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda)]]);
      steps.push(['deny claim', () => [`/incidents/${incidentId}/claims/${azClaim}/denials`, valid.denial(DEMO.kda)]]);
      steps.push(['correct claim', () => [`/incidents/${incidentId}/claims/${azClaim}/corrections`, valid.correction()]]);
      steps.push(['retract claim', () => [`/incidents/${incidentId}/claims/${kdaClaim}/retraction`, valid.retraction(DEMO.kda)]]);
      steps.push(['amend entry', () => [`/incidents/${incidentId}/amendments`, valid.amendment(azClaim)]]);

      let last = expectCreated(reported).revision;
      expect(last).toBe(0n);
      expect(await incidentEtag(incidentId)).toBe(last);
      for (const [name, step] of steps) {
        const [url, body] = step();
        const res = await s.post(url, body);
        const { revision } = expectCreated(res);
        expect({ name, revision }).toEqual({ name, revision: last + 1n });
        expect({ name, etag: await incidentEtag(incidentId) }).toEqual({ name, etag: revision });
        last = revision;
        if (name === 'make claim') azClaim = res.json().claimId;
        if (name === 'make another claim') kdaClaim = res.json().claimId;
      }
    });

    it('every Location resolves with GET to 200, showing what was written', async () => {
      const party = await s.post('/parties', valid.party('located-militia'));
      const incident = await s.post('/incidents', valid.incident('Located incident'));
      const incidentId = incident.json().incidentId as string;
      const claim = await s.post(`/incidents/${incidentId}/claims`, valid.claim());
      const claimId = claim.json().claimId as string;
      const denial = await s.post(`/incidents/${incidentId}/claims/${claimId}/denials`, valid.denial());
      const correction = await s.post(`/incidents/${incidentId}/claims/${claimId}/corrections`, valid.correction());
      const amendment = await s.post(`/incidents/${incidentId}/amendments`, valid.amendment(claimId));
      const retraction = await s.post(`/incidents/${incidentId}/claims/${claimId}/retraction`, valid.retraction());

      const expectations: Array<[string, Response, (doc: Record<string, unknown>) => void]> = [
        ['party', party, (doc) => expect(doc).toMatchObject({ partyId: 'located-militia' })],
        ['incident', incident, (doc) => expect(doc).toMatchObject({ incidentId, title: 'Located incident' })],
        ['claim', claim, (doc) => expect(doc).toMatchObject({ claimId })],
        ['denial (names the denied claim)', denial, (doc) => expect(doc).toMatchObject({ claimId })],
        ['correction (names the corrected claim)', correction, (doc) => expect(doc).toMatchObject({ claimId })],
        ['amendment (names the incident)', amendment, (doc) => expect(doc).toMatchObject({ incidentId })],
        ['retraction (names the retracted claim)', retraction, (doc) => expect(doc).toMatchObject({ claimId })],
      ];
      for (const [what, created, check] of expectations) {
        const { location } = expectCreated(created);
        const res = await s.get(location);
        expect({ what, location, status: res.statusCode }).toEqual({ what, location, status: 200 });
        check(res.json());
      }
    });

    it('a party registration answers ETag "0", the first revision of its own stream', async () => {
      const { revision, location } = expectCreated(await s.post('/parties', valid.party('first-revision-militia')));
      expect([revision, location]).toEqual([0n, '/parties/first-revision-militia']);
    });
  });

  describe('If-Match', () => {
    it('with the current ETag the command succeeds and answers the new ETag', async () => {
      const incidentId = await newIncident();
      const current = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      const res = await s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'if-match': current });
      expect(expectCreated(res).revision).toBe(revisionOf(current) + 1n);
      expect((await s.get(`/incidents/${incidentId}`)).headers.etag).toBe(res.headers.etag);
    });

    it.each([
      ['a weak ETag', (etag: string) => `W/${etag}`],
      ['the wildcard', () => '*'],
    ])('%s is accepted', async (_what, ifMatch) => {
      const incidentId = await newIncident();
      const current = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      expectCreated(await s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'if-match': ifMatch(current) }));
    });

    it('a stale ETag: 409 saying the current revision, nothing written; re-read and retry succeeds', async () => {
      const incidentId = await newIncident();
      const seen = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      const other = await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda));
      expectCreated(other);

      const stale = await s.unchanged(() => s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'if-match': seen }));
      const problem = expectProblem(stale, 409, 'wrong-expected-revision');
      expect(problem).toMatchObject({ currentRevision: revisionOf(other.headers.etag).toString(), expectedRevision: revisionOf(seen).toString() });

      const fresh = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      expect(expectCreated(await s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'if-match': fresh })).revision).toBe(revisionOf(fresh) + 1n);
    });

    it('two concurrent claims with the same If-Match: exactly one 201 and one 409', async () => {
      const incidentId = await newIncident();
      const etag = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      const before = await s.head();
      const responses = await Promise.all(
        [DEMO.azDefence, DEMO.kda].map((partyId) => s.post(`/incidents/${incidentId}/claims`, valid.claim(partyId), { 'if-match': etag })),
      );
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      const winner = responses.find((r) => r.statusCode === 201)!;
      const loser = responses.find((r) => r.statusCode === 409)!;
      expect(expectProblem(loser, 409, 'wrong-expected-revision').currentRevision).toBe(revisionOf(winner.headers.etag).toString());
      expect((await s.store.readAll({ fromPosition: before })).map((e) => e.type)).toEqual(['ClaimMade.v3']);
    });

    it('two claims sent one after the other with the same If-Match: the second is a 409', async () => {
      const incidentId = await newIncident();
      const etag = (await s.get(`/incidents/${incidentId}`)).headers.etag as string;
      expectCreated(await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.azDefence), { 'if-match': etag }));
      const second = await s.unchanged(() => s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda), { 'if-match': etag }));
      expectProblem(second, 409, 'wrong-expected-revision');
    });
  });

  describe('concurrent writers without If-Match', () => {
    const parties = [DEMO.azDefence, DEMO.azForeign, DEMO.kda, DEMO.armForeign, DEMO.osce, DEMO.armenia, DEMO.azerbaijan, DEMO.azDefence];

    // Commands on one stream queue up in the process, so they never race each other to the store.
    it.each([2, 8])('%i claims sent at once all succeed with consecutive revisions, without a single append conflict', async (writers) => {
      const incidentId = await newIncident();
      const start = await incidentEtag(incidentId);
      const before = await s.head();
      const watch = countConflicts(incidentStream(incidentId));
      let responses: Response[];
      try {
        responses = await Promise.all(
          parties.slice(0, writers).map((partyId, i) => s.post(`/incidents/${incidentId}/claims`, valid.claim(partyId, `Account number ${i}`))),
        );
      } finally {
        watch.restore();
      }
      expect(watch.state.conflicts).toBe(0);
      expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 201));
      const revisions = responses.map((r) => revisionOf(r.headers.etag)).sort((a, b) => (a < b ? -1 : 1));
      expect(revisions).toEqual(responses.map((_, i) => start + 1n + BigInt(i)));
      expect(new Set(responses.map((r) => r.json().claimId)).size).toBe(writers);
      expect(await s.store.readAll({ fromPosition: before })).toHaveLength(writers);
    });

    // The executor decides again on the newer state instead of failing a client that never named a revision.
    it('another process writing between decision and append: the command is decided again and succeeds', async () => {
      const incidentId = await newIncident();
      const start = await incidentEtag(incidentId);
      const foreign = foreignWriterBeforeAppends(incidentId, 2);
      let res: Response;
      try {
        res = await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda));
      } finally {
        foreign.restore();
      }
      expect(foreign.state.conflicts).toBe(2);
      expect(expectCreated(res).revision).toBe(start + 3n);
    });

    it('another process winning every attempt: 503 write-contention with Retry-After, and the command wrote nothing', async () => {
      const incidentId = await newIncident();
      const foreign = foreignWriterBeforeAppends(incidentId, 50);
      let res: Response;
      try {
        res = await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda));
      } finally {
        foreign.restore();
      }
      expectProblem(res, 503, 'write-contention');
      expect(res.headers['retry-after']).toBe('1');
      const written = await s.store.readStream(incidentStream(incidentId));
      expect(written.filter((e) => e.metadata.recordedBy !== 'other-node').map((e) => e.type)).toEqual(['IncidentReported.v2']);
    });

    it('the same Idempotency-Key sent twice at once writes once and answers both alike', async () => {
      const incidentId = await newIncident();
      const before = await s.head();
      const responses = await Promise.all(
        [0, 1].map(() => s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'idempotency-key': 'sent-twice-at-once' })),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([201, 201]);
      expect(responses[0].json()).toEqual(responses[1].json());
      expect(responses.map((r) => r.headers['idempotent-replayed'] ?? 'first').sort()).toEqual(['first', 'true']);
      const written = await s.store.readAll({ fromPosition: before });
      // The claim and the key's reservation, which binds the key to this request whatever stream it writes.
      expect(written.map((e) => e.type).sort()).toEqual(['ClaimMade.v3', 'IdempotencyKeyReserved.v1']);
    });

    it('the same Idempotency-Key sent at once to two incidents with different bodies: one 201, one 422, one claim written', async () => {
      const incidents = [await newIncident(), await newIncident()];
      const before = await s.head();
      const responses = await Promise.all(
        incidents.map((incidentId) => s.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'idempotency-key': 'raced-across-incidents' })),
      );
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 422]);
      expectProblem(responses.find((r) => r.statusCode === 422)!, 422, 'idempotency-key-reused');
      const written = await s.store.readAll({ fromPosition: before });
      expect(written.map((e) => e.type).sort()).toEqual(['ClaimMade.v3', 'IdempotencyKeyReserved.v1']);
    });

    it('the same party registered twice at once: one 201 and one 409', async () => {
      const before = await s.head();
      const responses = await Promise.all([0, 1].map(() => s.post('/parties', valid.party('raced-militia'))));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      expectProblem(responses.find((r) => r.statusCode === 409)!, 409, 'party-already-registered');
      expect(await s.store.readAll({ fromPosition: before })).toHaveLength(1);
    });
  });

  describe('Idempotency-Key across a restart', () => {
    it('a retry after the ledger restarted answers the first result and appends nothing', async () => {
      const own = await startLedger();
      let restarted: LedgerTestApp | undefined;
      try {
        const first = new LedgerSession(own);
        await first.playDemo();
        const incidentId = (await first.post('/incidents', valid.incident())).json().incidentId as string;
        const original = await first.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'idempotency-key': 'survives-restart' });
        expectCreated(original);

        restarted = await own.restart();
        const again = new LedgerSession(restarted);
        const replay = await again.unchanged(() => again.post(`/incidents/${incidentId}/claims`, valid.claim(), { 'idempotency-key': 'survives-restart' }));
        expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.headers.etag, replay.json()]).toEqual([
          201,
          'true',
          original.headers.etag,
          original.json(),
        ]);
      } finally {
        await (restarted ?? own).close();
      }
    }, 30_000);
  });
});
