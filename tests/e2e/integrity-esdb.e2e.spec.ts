import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { EsdbTarget, startEsdbTargetForLedger } from '../support/esdb-target';
import { getAs, injectSend } from '../support/http';
import { exportOverHttp } from '../support/integrity-export';
import { EsdbEventStore } from '@ledger/event-store';
import { NotaryService } from '../../apps/ledger-api/src/integrity/notary.service';
import { LedgerTestApp, startLedger, startLedgerOnEsdb } from '../support/ledger-test-app';
import { verifyExportDir, verifyInclusionBundle } from '../../tools/ledger-verifier/ledger-verifier';

jest.setTimeout(60_000);

/**
 * The same integrity guarantees on the EventStoreDB adapter (over the in-repo wire double, or the server named by
 * EVENTSTORE_TEST_CONNECTION_STRING): chains computed at append, checkpoints in the notary's own stream (outside the
 * filtered $all), verify walking both.
 */
describe('integrity on the EventStoreDB adapter', () => {
  let esdb: EsdbTarget;
  let t: LedgerTestApp;
  let refs: Record<string, string>;

  beforeAll(async () => {
    esdb = await startEsdbTargetForLedger();
    t = await startLedgerOnEsdb(esdb.connectionString);
    refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    const signed = await t.app.inject({ method: 'POST', url: '/integrity/checkpoints', headers: { authorization: `Bearer ${t.tokens.auditor}` } });
    expect(signed.statusCode).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
    await esdb?.close();
  });

  it('writes prevHash and hash into the metadata EventStoreDB stores, and the checkpoint into its own stream', async () => {
    const incident = await esdb.streamEvents(`incident-${refs.incident}`);
    const metadata = incident.map((e) => e.metadata as { prevHash: string | null; hash: string });
    expect(metadata[0].prevHash).toBeNull();
    metadata.slice(1).forEach((m, i) => expect(m.prevHash).toBe(metadata[i].hash));
    expect((await esdb.streamEvents('integrity-checkpoints')).map((e) => e.type)).toEqual(['CheckpointSigned.v1']);
  });

  it('a second ledger process on the same node with a key of its own sees the first one\'s key as foreign; with the shared key it does not', async () => {
    const own = t.app.get(NotaryService).publicKeys().keys[0].kid;
    const eventStore = () => new EsdbEventStore({ connectionString: esdb.connectionString });
    const separate = await startLedger({ eventStore });
    try {
      expect(separate.app.get(NotaryService).foreignSigningKeys()).toEqual([own]);
    } finally {
      await separate.close();
    }
    const sharedKey = readFileSync(join(t.dataDir, 'notary-ed25519.pem'), 'utf8');
    const sharing = await startLedger({ eventStore, env: { LEDGER_NOTARY_PRIVATE_KEY: sharedKey } });
    try {
      expect(sharing.app.get(NotaryService).foreignSigningKeys()).toEqual([]);
    } finally {
      await sharing.close();
    }
  });

  it('verifies clean, with the checkpoint covering every ledger event', async () => {
    const res = await getAs(t.app, t.tokens.auditor, '/integrity/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, findings: [], checkpoints: 1, unnotarizedLeaves: 0 });
    expect(res.body.latestCheckpoint.treeSize).toBe(res.body.leaves);
  });

  it('serves inclusion proofs the standalone verifier accepts', async () => {
    const history = await getAs(t.app, t.tokens.auditor, `/audit/incidents/${refs.incident}/claims/${refs['kda-claim']}/history`);
    const eventId = history.body.versions[0].eventId as string;
    const proof = await getAs(t.app, t.tokens.auditor, `/integrity/proofs/inclusion?eventId=${eventId}`);
    const keys = (await getAs(t.app, t.tokens.reader, '/.well-known/ledger-keys.json')).body;
    expect(proof.status).toBe(200);
    expect(verifyInclusionBundle(proof.body, keys)).toMatchObject({ ok: true });
  });

  it('exports the log over HTTP in global order, its own streams merged in, and the standalone verifier accepts it', async () => {
    const dir = await exportOverHttp(t.app, t.tokens.auditor);
    try {
      const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { streamName: string });
      expect(lines.some((line) => line.streamName === 'integrity-checkpoints')).toBe(true);
      expect(lines.some((line) => line.streamName === 'audit-access')).toBe(true);
      expect(verifyExportDir(dir)).toMatchObject({ ok: true, problems: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names an event written to a ledger stream behind the ledger\'s back (no hash, no link)', async () => {
    const stream = `incident-${refs.incident}`;
    await esdb.appendForeign(stream, [{ id: randomUUID(), type: 'ClaimRetracted.v1', data: { claimId: refs['kda-claim'] }, metadata: { recordedBy: 'intruder' } }]);
    const res = await getAs(t.app, t.tokens.auditor, '/integrity/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.firstFailure).toMatchObject({ kind: 'missing-hash', streamName: stream });
    expect(res.body.findings.map((f: { kind: string }) => f.kind)).toEqual(['missing-hash']);
  });
});
