import { randomUUID } from 'node:crypto';
import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectInvalidFields, expectRefusal } from '../support/problem-assertions';

jest.setTimeout(30_000);

/**
 * `supersedes` on POST /incidents/{id}/claims: a party replaces its own earlier claims, which stop counting in its
 * positions until the replacing claim is retracted; every bad use is a problem document and writes nothing.
 */
describe('claims superseding earlier claims of the same party (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    // The demo registers the parties.
    await s.playDemo();
  }, 30_000);

  afterAll(() => t?.close());

  const blaming = (responsibleParties: string[], statedOn: string, extra: Record<string, unknown> = {}) => ({
    ...valid.claim(DEMO.azDefence),
    statedAt: { at: statedOn, precision: 'day' },
    assertions: { responsibleParties },
    ...extra,
  });

  const blameOf = async (incidentId: string) => {
    const res = await s.get(`/incidents/${incidentId}/versions`);
    expect(res.statusCode).toBe(200);
    return res.json().parties.find((p: { partyId: string }) => p.partyId === DEMO.azDefence).currentAccount.responsibleParties;
  };

  it('keeps blame the party never withdrew, replaces it when told, and restores it when the replacement is retracted', async () => {
    const { incidentId, claimId: first } = await s.incidentWithClaim(DEMO.azDefence);
    const claims = `/incidents/${incidentId}/claims`;
    expect((await s.post(`${claims}/${first}/corrections`, { ...valid.correction(), assertions: { responsibleParties: [DEMO.kda, DEMO.armForeign] } })).statusCode).toBe(201);
    const second = await s.post(claims, blaming([DEMO.kda], '2019-06-06'));
    expect(second.statusCode).toBe(201);
    const kept = await blameOf(incidentId);
    expect(kept.value).toEqual([DEMO.armForeign, DEMO.kda]);
    expect(kept.parts.find((p: { part: string }) => p.part === DEMO.kda).claims).toEqual([
      { claimId: second.json().claimId, version: 1 },
      { claimId: first, version: 2 },
    ]);

    const replacing = await s.post(claims, blaming([DEMO.kda], '2019-06-07', { supersedes: [first] }));
    expect(replacing.statusCode).toBe(201);
    expect((await blameOf(incidentId)).value).toEqual([DEMO.kda]);
    const history = (await s.get(`/incidents/${incidentId}/versions?claim=${first}`)).json();
    expect(history.parties.flatMap((p: { claims: unknown[] }) => p.claims)).toEqual([expect.objectContaining({ claimId: first, version: 2, supersededBy: [replacing.json().claimId] })]);

    expect((await s.post(`${claims}/${replacing.json().claimId}/retraction`, { ...valid.retraction(), statedAt: { at: '2019-06-08', precision: 'day' } })).statusCode).toBe(201);
    expect((await blameOf(incidentId)).value).toEqual([DEMO.armForeign, DEMO.kda]);
  });

  it.each([
    ['not a list', 'claim-1', ['supersedes']],
    ['an id that is no uuid', ['claim-1'], ['supersedes']],
  ])('refuses supersedes that is %s: 400 naming it, nothing written', async (_what, supersedes, fields) => {
    const { incidentId } = await s.incidentWithClaim(DEMO.azDefence);
    expectInvalidFields(await s.unchanged(() => s.post(`/incidents/${incidentId}/claims`, blaming([DEMO.kda], '2019-06-06', { supersedes }))), fields);
  });

  it("refuses to supersede another party's claim, an unknown claim or a retracted one: 422 naming the item, nothing written", async () => {
    const { incidentId, claimId: own } = await s.incidentWithClaim(DEMO.azDefence);
    const claims = `/incidents/${incidentId}/claims`;
    const theirs = (await s.post(claims, valid.claim(DEMO.kda))).json().claimId as string;
    const refused = (supersedes: string[]) => s.unchanged(() => s.post(claims, blaming([DEMO.kda], '2019-06-06', { supersedes })));

    expectRefusal(await refused([own, theirs]), 422, 'cannot-supersede-other-partys-claim', 'supersedes[1]');
    expectRefusal(await refused([randomUUID()]), 422, 'unknown-claim', 'supersedes[0]');
    expect((await s.post(`${claims}/${own}/retraction`, valid.retraction())).statusCode).toBe(201);
    expectRefusal(await refused([own]), 422, 'claim-retracted', 'supersedes[0]');
  });
});
