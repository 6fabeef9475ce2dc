import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';
import {
  CHECKPOINT_STREAM,
  Finding,
  keyIdOf,
  loadOrCreateNotaryKey,
  sealEvents,
  SignedCheckpoint,
  signCheckpoint,
  VerificationReport,
  verifyEventStore,
} from '@ledger/integrity';
import { EVENTS_FILE } from '../../apps/ledger-api/src/application/application.module';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { getAs, injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

interface Row {
  position: number;
  event_id: string;
  stream_name: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/**
 * Someone with write access to the SQLite file (an operator, a backup restored over the live one) edits the log
 * the way the issue lists; verify must name each edit. The attacker drops the append-only triggers first, as a
 * real one would.
 */
describe('tamper evidence: verify names every edit made to the SQLite file behind the ledger', () => {
  let t: LedgerTestApp;
  let refs: Record<string, string>;
  let pristine: string;
  let incidentStream: string;
  const copies: string[] = [];

  beforeAll(async () => {
    t = await startLedger();
    refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    incidentStream = `incident-${refs.incident}`;
    const signed = await t.app.inject({ method: 'POST', url: '/integrity/checkpoints', headers: { authorization: `Bearer ${t.tokens.auditor}` } });
    expect(signed.statusCode).toBe(201);
    await t.app.close();
    pristine = join(t.dataDir, EVENTS_FILE);
  }, 60_000);

  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    rmSync(t.dataDir, { recursive: true, force: true });
  });

  /** A copy of the notarised log, edited by `tamper` with the triggers dropped, then verified from scratch. */
  const verifyAfter = async (tamper: (db: Database.Database) => void): Promise<VerificationReport> => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-tamper-'));
    copies.push(dir);
    const file = join(dir, EVENTS_FILE);
    copyFileSync(pristine, file);
    const db = new Database(file);
    db.exec('DROP TRIGGER events_append_only_no_update; DROP TRIGGER events_append_only_no_delete;');
    tamper(db);
    db.close();
    const store = new SqliteEventStore({ filename: file });
    try {
      const { key } = loadOrCreateNotaryKey({ dataDir: t.dataDir });
      return await verifyEventStore(store, { publicKeys: new Map([[key.keyId, key.publicKey]]) });
    } finally {
      await store.close();
    }
  };

  const rowsOf = (db: Database.Database, stream: string): Row[] =>
    db.prepare('SELECT * FROM events WHERE stream_name = ? ORDER BY revision').all(stream) as Row[];
  const kinds = (report: VerificationReport): string[] => [...new Set(report.findings.map((f) => f.kind))].sort();
  const about = (report: VerificationReport, stream: string, revision: number): Finding[] =>
    report.findings.filter((f) => f.streamName === stream && f.revision === String(revision));

  it('finds nothing wrong with the untouched log, whose checkpoint covers every ledger event', async () => {
    const report = await verifyAfter(() => undefined);

    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checkpoints).toBe(1);
    expect(report.latestCheckpoint?.treeSize).toBe(report.leaves);
    expect(report.unnotarizedLeaves).toBe(0);
    expect(report.leaves).toBeGreaterThan(15);
  });

  it('names the event when one byte of its data is changed', async () => {
    let target!: Row;
    const report = await verifyAfter((db) => {
      target = rowsOf(db, incidentStream).find((row) => row.data.includes('Omarov'))!;
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(target.data.replace('Omarov', 'Omarof'), target.position);
    });

    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'hash-mismatch', streamName: incidentStream, revision: String(target.revision), eventId: target.event_id });
    expect(report.firstFailure?.message).toContain('changed after it was written');
    expect(kinds(report)).toEqual(['hash-mismatch']);
  });

  it('names the event when a changed byte leaves its data unreadable, and still checks everything after it', async () => {
    let target!: Row;
    const report = await verifyAfter((db) => {
      target = rowsOf(db, incidentStream)[2];
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(`${target.data.slice(0, -1)}X`, target.position);
    });

    expect(report.firstFailure).toMatchObject({ kind: 'unreadable-event', streamName: incidentStream, revision: String(target.revision) });
    expect(kinds(report)).toEqual(['root-mismatch', 'unreadable-event']);
    expect(report.events).toBeGreaterThan(target.position);
  });

  it('names the gap when an event is deleted, and the checkpoint that no longer matches', async () => {
    let deleted!: Row;
    const report = await verifyAfter((db) => {
      deleted = rowsOf(db, incidentStream)[3];
      db.prepare('DELETE FROM events WHERE position = ?').run(deleted.position);
    });

    expect(report.firstFailure).toMatchObject({ kind: 'revision-gap', streamName: incidentStream, revision: String(deleted.revision + 1) });
    expect(report.firstFailure?.message).toContain(`revision ${deleted.revision} is missing`);
    expect(kinds(report)).toEqual(['log-truncated', 'revision-gap']);
  });

  it('names both events when two events of a stream are swapped in the log', async () => {
    let [first, second]: Row[] = [];
    const report = await verifyAfter((db) => {
      [first, second] = rowsOf(db, incidentStream).slice(4, 6);
      const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
      db.transaction(() => {
        move.run(-1, first.position);
        move.run(first.position, second.position);
        move.run(second.position, -1);
      })();
    });

    expect(report.firstFailure).toMatchObject({ kind: 'revision-out-of-order', streamName: incidentStream, revision: String(second.revision) });
    expect(about(report, incidentStream, first.revision).map((f) => f.kind)).toEqual(['revision-out-of-order']);
    expect(kinds(report)).toEqual(['revision-out-of-order', 'root-mismatch']);
  });

  it('names the stream whose last events were dropped, from the head the checkpoint recorded', async () => {
    let kept!: number;
    const report = await verifyAfter((db) => {
      const rows = rowsOf(db, incidentStream);
      kept = rows.length - 3;
      db.prepare('DELETE FROM events WHERE stream_name = ? AND revision > ?').run(incidentStream, kept);
    });

    const head = report.findings.find((f) => f.kind === 'stream-head-mismatch')!;
    expect(head.message).toContain(`${incidentStream} at revision ${kept + 2}`);
    expect(head.message).toContain(`ends at revision ${kept}`);
    expect(kinds(report)).toEqual(['log-truncated', 'stream-head-mismatch']);
  });

  it('catches a rewrite whose hashes and links were all recomputed: only the signed Merkle root and stream head give it away', async () => {
    const report = await verifyAfter((db) => {
      const rows = rowsOf(db, incidentStream);
      const from = rows.findIndex((row) => row.data.includes('Omarov'));
      const tail = rows.slice(from);
      const forged = tail.map((row, i) => ({
        eventId: row.event_id,
        type: row.type,
        data: JSON.parse(i === 0 ? row.data.replace('Omarov', 'Omarli') : row.data) as unknown,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      }));
      const prevHash = (JSON.parse(rows[from - 1].metadata) as { hash: string }).hash;
      const resealed = sealEvents(incidentStream, BigInt(tail[0].revision), prevHash, forged);
      const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
      resealed.forEach((event, i) => update.run(JSON.stringify(event.data), JSON.stringify(event.metadata), tail[i].position));
    });

    expect(kinds(report)).toEqual(['root-mismatch', 'stream-head-mismatch']);
    expect(report.findings.find((f) => f.kind === 'stream-head-mismatch')?.message).toContain(incidentStream);
  });

  it('rejects a checkpoint whose signed content was edited', async () => {
    const report = await verifyAfter((db) => {
      const [row] = rowsOf(db, CHECKPOINT_STREAM);
      const checkpoint = JSON.parse(row.data) as SignedCheckpoint;
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...checkpoint, treeSize: checkpoint.treeSize - 1 }), row.position);
    });

    expect(kinds(report)).toEqual(['bad-signature', 'hash-mismatch']);
    expect(report.findings.find((f) => f.kind === 'bad-signature')).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
  });

  it('rejects a checkpoint replaced by one signed with a key that is not the ledger\'s, even with its chain recomputed', async () => {
    const report = await verifyAfter((db) => {
      const [row] = rowsOf(db, CHECKPOINT_STREAM);
      const { signature: _old, ...body } = JSON.parse(row.data) as SignedCheckpoint;
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const impostor = { privateKey, publicKey, keyId: keyIdOf(publicKey) };
      const replaced = signCheckpoint({ ...body, keyId: impostor.keyId }, impostor);
      const [sealed] = sealEvents(CHECKPOINT_STREAM, 0n, null, [
        { eventId: row.event_id, type: row.type, data: replaced, metadata: JSON.parse(row.metadata) as Record<string, unknown> },
      ]);
      db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(JSON.stringify(sealed.data), JSON.stringify(sealed.metadata), row.position);
    });

    expect(kinds(report)).toEqual(['unknown-signing-key']);
    expect(report.firstFailure?.message).toContain("not one of the ledger's published keys");
  });

  it('answers the same findings over HTTP to an auditor, on a ledger restarted over the edited file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-tamper-http-'));
    copies.push(dir);
    copyFileSync(join(t.dataDir, 'notary-ed25519.pem'), join(dir, 'notary-ed25519.pem'));
    copyFileSync(pristine, join(dir, EVENTS_FILE));
    const db = new Database(join(dir, EVENTS_FILE));
    db.exec('DROP TRIGGER events_append_only_no_update;');
    const target = rowsOf(db, incidentStream).find((row) => row.data.includes('Melkonian'))!;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(target.data.replace('Melkonian', 'Melkonyan'), target.position);
    db.close();

    const restarted = await startLedger({ dataDir: dir, tokens: t.tokens });
    try {
      const res = await getAs(restarted.app, restarted.tokens.auditor, '/integrity/verify');
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.firstFailure).toMatchObject({ kind: 'hash-mismatch', streamName: incidentStream, revision: String(target.revision) });
      expect((await getAs(restarted.app, restarted.tokens.reader, '/integrity/verify')).status).toBe(403);
      const refused = await restarted.app.inject({
        method: 'POST',
        url: '/integrity/checkpoints',
        headers: { authorization: `Bearer ${restarted.tokens.auditor}` },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'notary-refused' });
      // The public health report says that it refuses, not which incident's event failed.
      const health = await restarted.app.inject({ method: 'GET', url: '/health' });
      expect(health.json().details.notary).toMatchObject({ state: 'following', refusing: true });
      expect(health.body).not.toContain(incidentStream);
    } finally {
      await restarted.close({ keepData: true });
    }
  });
});
