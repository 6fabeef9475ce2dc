import { rmSync } from 'node:fs';
import { runCliInProcess } from '../support/in-process-cli';
import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { startLedger } from '../support/ledger-test-app';

/**
 * The auditor's CLI on an incident that absorbed another: its answers are folded from the survivor's stream and the
 * absorbed one's, as the API's are, so a claim recorded under the absorbed incident counts in the survivor.
 */

jest.setTimeout(60_000);

describe('ledger-cli auditor commands on a merged incident', () => {
  let dataDir: string;
  let survivorId: string;
  let absorbed: { incidentId: string; claimId: string };
  let survivorClaim: string;
  let apiVersions: { parties: Array<{ claims: Array<{ claimId: string; recordedIn?: string }> }> };

  beforeAll(async () => {
    const t = await startLedger();
    dataDir = t.dataDir;
    const s = new LedgerSession(t);
    await s.playDemo();
    absorbed = await s.incidentWithClaim(DEMO.azDefence);
    const survivor = await s.incidentWithClaim(DEMO.kda);
    survivorId = survivor.incidentId;
    survivorClaim = survivor.claimId;
    expect((await s.post(`/claims/${absorbed.claimId}/denials`.replace('/claims/', `/incidents/${absorbed.incidentId}/claims/`), valid.denial(DEMO.kda))).statusCode).toBe(201);
    const merged = await s.post(`/incidents/${absorbed.incidentId}/merge`, { survivorId, reason: 'The same night on the line of contact' });
    expect(merged.statusCode).toBe(201);
    const res = await t.app.inject({ method: 'GET', url: `/audit/incidents/${survivorId}/versions`, headers: s.bearer('auditor') });
    expect(res.statusCode).toBe(200);
    apiVersions = res.json();
    await t.close({ keepData: true });
  }, 120_000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const claimsOf = (doc: typeof apiVersions) => doc.parties.flatMap((p) => p.claims.map((c) => [c.claimId, c.recordedIn ?? null])).sort();

  it('versions: the survivor counts the absorbed incident\'s claim, as the API does', async () => {
    const run = await runCliInProcess(['versions', survivorId, '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(claimsOf(doc)).toEqual([
      [absorbed.claimId, absorbed.incidentId],
      [survivorClaim, null],
    ].sort());
    expect(claimsOf(doc)).toEqual(claimsOf(apiVersions));
  });

  it('history: a claim recorded under the absorbed incident is found under the survivor', async () => {
    const run = await runCliInProcess(['history', survivorId, absorbed.claimId, '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ claimId: absorbed.claimId, incidentId: survivorId });
  });

  it('changes: the absorbed claim arrives in the survivor with the merge', async () => {
    const run = await runCliInProcess(['changes', survivorId, '--from', '2000-01-01', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const added = JSON.parse(run.stdout).parties.flatMap((p: { claimsAdded: Array<{ claimId: string }> }) => p.claimsAdded.map((c) => c.claimId));
    expect(added.sort()).toEqual([absorbed.claimId, survivorClaim].sort());
  });

  it('replay: tells the absorbed incident\'s events among the survivor\'s, in log order', async () => {
    const run = await runCliInProcess(['replay', survivorId, '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(absorbed.claimId);
    expect(run.stdout.indexOf(absorbed.claimId)).toBeLessThan(run.stdout.indexOf(survivorClaim));
    // Each of the absorbed incident's events says whose stream it is in; the survivor's own do not.
    expect(run.stdout).toContain(`#2 of incident ${absorbed.incidentId}  position`);
    expect(run.stdout).toMatch(/\n#2  position \d+  revision 1  ClaimMade/);
  });
});
