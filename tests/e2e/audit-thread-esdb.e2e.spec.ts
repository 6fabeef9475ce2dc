import { readFileSync, readdirSync } from 'node:fs';
import { THREAD_NAMES } from '@ledger/event-store';
import { startEsdbTargetForLedger } from '../support/esdb-target';
import { PARTY, claimBody, seedIncident } from '../support/ledger-bodies';
import { spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * The built API folds auditors' looks at the past in a thread that opens the log itself: on EventStoreDB (here the
 * in-repo gRPC double, or a real server when EVENTSTORE_TEST_CONNECTION_STRING names one), a client of its own.
 */

jest.setTimeout(90_000);

const newDir = spawnedSuite('ledger-audit-esdb-');

describe('the audit reads\' thread on EventStoreDB', () => {
  it('reads the incident and the parties\' registrations through a client of its own, and answers each audit read', async () => {
    const target = await startEsdbTargetForLedger();
    try {
      const ledger = await spawnLedger({ dataDir: newDir(), env: { EVENTSTORE_CONNECTION_STRING: target.connectionString } });
      const incidentId = await seedIncident(ledger);
      const claimIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const created = await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(i) });
        expect(created.status).toBe(201);
        claimIds.push((created.body as { claimId: string }).claimId);
      }

      const versions = await ledger.request('GET', `/audit/incidents/${incidentId}/versions`, { role: 'auditor' });
      expect(versions.status).toBe(200);
      const doc = versions.body as { parties: Array<{ partyId: string; partyName: string | null; claims: Array<{ claimId: string }> }> };
      expect(doc.parties.flatMap((p) => p.claims.map((c) => c.claimId)).sort()).toEqual([...claimIds].sort());
      // Named from the party's registration, which the thread read from EventStoreDB.
      expect(doc.parties.find((p) => p.partyId === PARTY.partyId)?.partyName).toBe(PARTY.name);

      const history = await ledger.request('GET', `/audit/incidents/${incidentId}/claims/${claimIds[1]}/history`, { role: 'auditor' });
      expect(history).toMatchObject({ status: 200, body: { claimId: claimIds[1], versions: [expect.objectContaining({ version: 1 })] } });
      const changes = await ledger.request('GET', `/audit/incidents/${incidentId}/changes?from=2000-01-01`, { role: 'auditor' });
      expect(changes.status).toBe(200);
      expect((changes.body as { parties: Array<{ claimsAdded: unknown[] }> }).parties.flatMap((p) => p.claimsAdded)).toHaveLength(3);

      if (process.platform === 'linux') {
        const names = readdirSync(`/proc/${ledger.pid}/task`).map((tid) => readFileSync(`/proc/${ledger.pid}/task/${tid}/comm`, 'utf8').trim());
        expect(names).toContain(THREAD_NAMES.auditReads);
      }
    } finally {
      await target.close();
    }
  });
});
