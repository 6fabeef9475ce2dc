import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RecordedEvent } from '@ledger/event-store';
import { DEMO_SCENARIO, runScenario, ScenarioSend } from '../../apps/ledger-api/src/demo/scenario';
import { EXIT } from '../../apps/ledger-cli/src/ledger-files';
import { verifyExportDir } from '../../tools/ledger-verifier/ledger-verifier';
import { EsdbTarget, startEsdbTargetForLedger } from '../support/esdb-target';
import { readLog } from '../support/data-dir';
import { injectSend } from '../support/http';
import { CliRun, runCliInProcess } from '../support/in-process-cli';
import { LedgerTestApp, startLedger, startLedgerOnEsdb } from '../support/ledger-test-app';
import { BUILD_TIMEOUT_MS, ensureBuilt, runBuiltCli } from '../support/spawned-ledger';

/**
 * The auditor's CLI (replay, versions, history, verify, export) on a ledger
 * that played the seed article: in-process through runCli with a captured
 * output, and once through the built binary.
 */

jest.setTimeout(60_000);

const cli = runCliInProcess;

const post = (t: LedgerTestApp, url: string, token: string) =>
  t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });

/** RFC 4180, enough for the export's files (quoted fields may hold commas, quotes and newlines). */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
};

const readCsv = (file: string): Array<Record<string, string>> => {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/** Plays the demo scenario one minute of ledger time per step, so each event's recorded time is known. */
const playScenario = async (t: LedgerTestApp, afterStep?: (i: number) => Promise<void>) => {
  const send = injectSend(t.app, t.tokens.recorder);
  const recordedAt: string[] = [];
  let step = 0;
  const timed: ScenarioSend = async (request) => {
    t.clock.advance(60_000);
    recordedAt.push(t.clock.now().toISOString());
    const response = await send(request);
    await afterStep?.(step++);
    return response;
  };
  const refs = await runScenario(DEMO_SCENARIO, timed);
  return { refs, recordedAt };
};

const CORRECTION_STEP = 15;
const AMENDMENT_STEP = 16;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('ledger-cli auditor commands on the seed article (embedded store)', () => {
  let dataDir: string;
  let refs: Record<string, string>;
  let recordedAt: string[];
  let keysFile: string;
  let jwks: unknown;
  let whileRunning: CliRun;
  let log: RecordedEvent[];

  beforeAll(async () => {
    const t = await startLedger();
    dataDir = t.dataDir;
    dirs.push(dataDir);
    // A first checkpoint part-way (after the Armenian ministry's claim), the second at the end: export then proves one consistent with the other.
    ({ refs, recordedAt } = await playScenario(t, async (i) => {
      if (i === 12) expect((await post(t, '/integrity/checkpoints', t.tokens.auditor)).statusCode).toBe(201);
    }));
    t.clock.advance(60_000);
    expect((await post(t, '/integrity/checkpoints', t.tokens.auditor)).statusCode).toBe(201);
    jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/ledger-keys.json' })).json();
    keysFile = join(tempDir('ledger-cli-keys-'), 'ledger-keys.json');
    writeFileSync(keysFile, JSON.stringify(jwks));
    // Read-only commands share the files with the running API (SQLite WAL readers), unlike rebuild.
    whileRunning = await cli(['verify', '--json', '--data-dir', dataDir]);
    await t.close({ keepData: true });
    log = await readLog(dataDir);
  }, 120_000);

  it('runs beside the API: verify succeeded while the ledger had the files open', () => {
    expect(whileRunning.code).toBe(0);
    expect(JSON.parse(whileRunning.stdout)).toMatchObject({ ok: true, checkpoints: 2, unnotarizedLeaves: 0 });
  });

  describe('replay', () => {
    it('tells the incident event by event: party names, both clocks, recorder, source, and what each event changed', async () => {
      const run = await cli(['replay', refs.incident, '--data-dir', dataDir]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const text = run.stdout;
      expect(text).toContain(`Incident ${refs.incident}: Deadly ceasefire violations on the Karabakh line of contact`);
      expect(text).toContain('10 events');
      // The first claim: who, stated (the party's clock), recorded (the ledger's clock) and by whom, from which source.
      const claim = text.slice(text.indexOf('#2 '), text.indexOf('#3 '));
      expect(claim).toContain('Ministry of Defence of Azerbaijan (azerbaijan-defence-ministry) made claim');
      expect(claim).toMatch(/stated\s+2019-05-30 \(day\)/);
      expect(claim).toContain(`recorded    ${recordedAt[8]} by test-recorder`);
      expect(claim).toMatch(/source\s+"/);
      expect(claim).toContain('Aqil Omarov (serviceman, killed)');

      // The party's correction, with its field-level diff.
      const correction = text.slice(text.indexOf('#9 '), text.indexOf('#10 '));
      expect(correction).toContain('CORRECTION BY THE PARTY');
      expect(correction).toContain('The ministry identified the victim as a mid-ranking officer.');
      expect(correction).toContain('assertions.casualties[0].named[0].role: "serviceman" → "mid-ranking officer"');
      expect(correction).toContain(`recorded    ${recordedAt[CORRECTION_STEP]} by test-recorder`);

      // The ledger's amendment, shown apart: which entry of whom, which fields, and the diff.
      const amendment = text.slice(text.indexOf('#10 '));
      expect(amendment).toContain('LEDGER AMENDMENT');
      expect(amendment).not.toContain('CORRECTION BY THE PARTY');
      expect(amendment).toContain('a transcription fix, not a correction by the party');
      expect(amendment).toContain(`claim ${refs['kda-claim']} version 1 of Nagorno-Karabakh Defense Army (karabakh-defense-army)`);
      expect(amendment).toMatch(/fields\s+statement, assertions/);
      expect(amendment).toContain('assertions.casualties[0].named[0].name: "Sipan Melkonyan" → "Sipan Melkonian"');

      // A denial: which claim, which assertions, and what they said.
      const denial = text.slice(text.indexOf('#5 '), text.indexOf('#6 '));
      expect(denial).toContain(`denies      claim ${refs['az-mod-claim']} of Ministry of Defence of Azerbaijan (azerbaijan-defence-ministry)`);
      expect(denial).toMatch(/which\s+ceasefire, responsibleParties/);
      expect(denial).toContain('ceasefire: violated by Nagorno-Karabakh Defense Army (karabakh-defense-army)');
    });

    it('prints the same as JSON', async () => {
      const run = await cli(['replay', refs.incident, '--json', '--data-dir', dataDir]);
      expect(run.code).toBe(0);
      const replay = JSON.parse(run.stdout);
      expect(replay.events.map((e: { type: string }) => e.type)).toEqual([
        'IncidentReported',
        'ClaimMade',
        'ClaimMade',
        'ClaimMade',
        'ClaimDenied',
        'ClaimMade',
        'ClaimDenied',
        'ClaimMade',
        'ClaimCorrected',
        'EntryAmended',
      ]);
      const incidentEvents = log.filter((e) => e.streamName === `incident-${refs.incident}`);
      expect(replay.events.map((e: { position: string }) => e.position)).toEqual(incidentEvents.map((e) => e.position.toString()));
      const correction = replay.events[8];
      expect(correction).toMatchObject({
        party: { id: 'azerbaijan-defence-ministry', name: 'Ministry of Defence of Azerbaijan' },
        recordedAt: recordedAt[CORRECTION_STEP],
        recordedBy: 'test-recorder',
        version: 2,
      });
      expect(correction.changes).toContainEqual({ path: 'assertions.casualties[0].named[0].role', from: 'serviceman', to: 'mid-ranking officer' });
      expect(replay.events[9]).toMatchObject({ party: null, amends: { kind: 'claim', claimId: refs['kda-claim'], version: 1 }, recordedAt: recordedAt[AMENDMENT_STEP] });
    });
  });

  describe('versions', () => {
    const azAccount = (doc: { parties: Array<{ partyId: string; currentAccount: { casualties?: { value: Array<{ named?: Array<{ role?: string }> }> } } }> }) =>
      doc.parties.find((p) => p.partyId === 'azerbaijan-defence-ministry')?.currentAccount.casualties?.value[0].named?.[0].role;

    it('as of a recorded time before the correction shows the old rank, after it the new one', async () => {
      const before = await cli(['versions', refs.incident, '--as-of', recordedAt[CORRECTION_STEP - 1], '--data-dir', dataDir]);
      const after = await cli(['versions', refs.incident, '--as-of', recordedAt[CORRECTION_STEP], '--clock', 'recorded', '--data-dir', dataDir]);
      expect(before.code).toBe(0);
      expect(after.code).toBe(0);
      expect(before.stdout).toContain(`As of recorded time ${recordedAt[CORRECTION_STEP - 1]}`);
      expect(before.stdout).toContain('Aqil Omarov (serviceman, killed)');
      expect(before.stdout).not.toContain('mid-ranking officer');
      expect(after.stdout).toContain('Aqil Omarov (mid-ranking officer, killed)');
      expect(after.stdout).toContain('Party versions (5)');
      expect(after.stdout).toMatch(/Disagreements \(\d+\)/);
      expect(after.stdout).toContain('who is responsible');
      expect(after.stdout).toContain(`denial of claim ${refs['az-mod-claim']} (ceasefire, responsibleParties)`);

      const json = await cli(['versions', refs.incident, '--as-of', recordedAt[CORRECTION_STEP - 1], '--json', '--data-dir', dataDir]);
      const doc = JSON.parse(json.stdout);
      expect(doc.asOf).toEqual({ clock: 'recorded', at: recordedAt[CORRECTION_STEP - 1] });
      expect(azAccount(doc)).toBe('serviceman');
      expect(doc.partyNames['karabakh-defense-army']).toBe('Nagorno-Karabakh Defense Army');
    });

    it('on the stated clock counts what the parties had said by then, however late it was recorded', async () => {
      // By the end of 2019-05-30 only the defence ministry had spoken, and its correction is dated that same day.
      const stated = JSON.parse((await cli(['versions', refs.incident, '--as-of', '2019-05-30', '--clock', 'stated', '--json', '--data-dir', dataDir])).stdout);
      expect(stated.parties.map((p: { partyId: string }) => p.partyId)).toEqual(['azerbaijan-defence-ministry']);
      expect(azAccount(stated)).toBe('mid-ranking officer');
      // As the ledger knew it when it recorded that claim, the rank was still the first one.
      const recorded = JSON.parse((await cli(['versions', refs.incident, '--as-of', recordedAt[8], '--json', '--data-dir', dataDir])).stdout);
      expect(recorded.parties.map((p: { partyId: string }) => p.partyId)).toEqual(['azerbaijan-defence-ministry']);
      expect(azAccount(recorded)).toBe('serviceman');

      const text = await cli(['versions', refs.incident, '--as-of', '2019-05-31', '--clock', 'stated', '--data-dir', dataDir]);
      expect(text.stdout).toContain('As of stated time 2019-05-31T23:59:59.999Z');
      expect(text.stdout).toContain('Party versions (2)');
    });

    it('as of a log position', async () => {
      const correction = log.find((e) => e.type.startsWith('ClaimCorrected.'))!;
      const before = JSON.parse((await cli(['versions', refs.incident, '--position', String(correction.position - 1n), '--json', '--data-dir', dataDir])).stdout);
      const at = JSON.parse((await cli(['versions', refs.incident, '--position', String(correction.position), '--json', '--data-dir', dataDir])).stdout);
      expect(azAccount(before)).toBe('serviceman');
      expect(azAccount(at)).toBe('mid-ranking officer');
      expect(at.position).toBe(correction.position.toString());
    });
  });

  describe('changes', () => {
    it("between two recorded times: the defence ministry's correction with its diff, the amendment apart as the ledger's", async () => {
      const res = await cli(
        ['changes', refs.incident, '--from', recordedAt[CORRECTION_STEP - 1], '--to', recordedAt[AMENDMENT_STEP], '--data-dir', dataDir],
      );
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`changes from recorded time ${recordedAt[CORRECTION_STEP - 1]} to recorded time ${recordedAt[AMENDMENT_STEP]}`);
      expect(res.stdout).toMatch(/corrected\s+claim \S+ v1 → v2/);
      expect(res.stdout).toContain('"serviceman" → "mid-ranking officer"');
      expect(res.stdout).toContain('LEDGER AMENDMENT');
      expect(res.stdout).toContain('Melkonian');

      const json = JSON.parse(
        (await cli(['changes', refs.incident, '--from', recordedAt[CORRECTION_STEP - 1], '--to', recordedAt[CORRECTION_STEP], '--json', '--data-dir', dataDir])).stdout,
      );
      expect(json.parties.map((p: { partyId: string }) => p.partyId)).toEqual(['azerbaijan-defence-ministry']);
      expect(json.parties[0].claimsCorrected[0]).toMatchObject({ claimId: refs['az-mod-claim'], fromVersion: 1, toVersion: 2 });
      expect(json.parties[0].entriesAmended).toEqual([]);
    });

    it('on the stated clock, by default up to now, and refuses bounds out of order', async () => {
      const stated = JSON.parse((await cli(['changes', refs.incident, '--clock', 'stated', '--from', '2019-05-30', '--json', '--data-dir', dataDir])).stdout);
      expect(stated.from).toEqual({ clock: 'stated', at: '2019-05-30T23:59:59.999Z' });
      // The defence ministry had spoken (and corrected itself) by then: after that it only received a denial.
      const mod = stated.parties.find((p: { partyId: string }) => p.partyId === 'azerbaijan-defence-ministry');
      expect(mod).toMatchObject({ claimsAdded: [], claimsCorrected: [] });
      expect(mod.denialsReceived.map((d: { partyId: string }) => d.partyId)).toEqual(['karabakh-defense-army']);
      expect(stated.parties.filter((p: { claimsAdded: unknown[] }) => p.claimsAdded.length > 0)).toHaveLength(4);
      const reversed = await cli(['changes', refs.incident, '--from', '2019-06-02', '--to', '2019-06-01', '--data-dir', dataDir]);
      expect(reversed.code).toBe(EXIT.usage);
      expect(reversed.stderr).toContain('from must not be after to');
    });
  });

  describe('a page at a time (--limit, --after)', () => {
    type Entries = { parties: Array<{ claims: Array<{ claimId: string }>; denialsMade: Array<{ denialId: string }> }> };
    const entriesOf = (doc: Entries): string[] => doc.parties.flatMap((p) => [...p.claims.map((c) => c.claimId), ...p.denialsMade.map((d) => d.denialId)]);

    it('versions and changes page as the API does, and the pages make up the whole', async () => {
      for (const command of [['versions', refs.incident], ['changes', refs.incident, '--from', '2000-01-01']]) {
        const whole = JSON.parse((await cli([...command, '--json', '--data-dir', dataDir])).stdout);
        expect(whole).not.toHaveProperty('page');
        const seen: string[] = [];
        const added: string[] = [];
        let after: string | null = null;
        for (let pages = 0; pages === 0 || after !== null; pages++) {
          expect(pages).toBeLessThan(20);
          const res = await cli([...command, '--limit', '2', ...(after ? ['--after', after] : []), '--json', '--data-dir', dataDir]);
          expect(res.code).toBe(0);
          const page = JSON.parse(res.stdout);
          expect(page.page).toMatchObject({ limit: 2, after });
          expect(page.disagreements).toEqual(whole.disagreements);
          if (command[0] === 'versions') seen.push(...entriesOf(page));
          else added.push(...page.parties.flatMap((p: { claimsAdded: Array<{ claimId: string }> }) => p.claimsAdded.map((c) => c.claimId)));
          after = page.page.next;
        }
        if (command[0] === 'versions') expect(seen.sort()).toEqual(entriesOf(whole).sort());
        else expect(added.sort()).toEqual(whole.parties.flatMap((p: { claimsAdded: Array<{ claimId: string }> }) => p.claimsAdded.map((c) => c.claimId)).sort());
      }
    });

    it('says in text how to ask for the next page, and refuses a bad limit or cursor', async () => {
      const first = await cli(['versions', refs.incident, '--limit', '2', '--data-dir', dataDir]);
      expect(first.stdout).toMatch(new RegExp(`the next: ledger-cli versions ${refs.incident} --limit 2 --after \\d+\\)`));
      const bad = await cli(['changes', refs.incident, '--from', '2000-01-01', '--limit', '0', '--data-dir', dataDir]);
      expect(bad.code).toBe(EXIT.usage);
      expect(bad.stderr).toContain('--limit');
      const cursor = await cli(['versions', refs.incident, '--after', 'soon', '--data-dir', dataDir]);
      expect(cursor.code).toBe(EXIT.usage);
      expect(cursor.stderr).toContain('--after');
    });
  });

  describe('history', () => {
    it("shows every version of a claim with its diff, recorder and both clocks; the ledger's amendments apart", async () => {
      const az = await cli(['history', refs.incident, refs['az-mod-claim'], '--data-dir', dataDir]);
      expect(az.code).toBe(0);
      expect(az.stdout).toContain(`Claim ${refs['az-mod-claim']} of Ministry of Defence of Azerbaijan (azerbaijan-defence-ministry)`);
      expect(az.stdout).toContain('version 2 of 2, 0 ledger amendment(s), 1 denial(s) received');
      expect(az.stdout).toContain('Version 1 (made)');
      expect(az.stdout).toContain('Version 2 (corrected by the party)');
      expect(az.stdout).toContain(`recorded    ${recordedAt[CORRECTION_STEP]} by test-recorder`);
      expect(az.stdout).toContain('assertions.casualties[0].named[0].role: "serviceman" → "mid-ranking officer"');
      expect(az.stdout).toContain('Ledger amendments (0)');

      const kda = await cli(['history', refs.incident, refs['kda-claim'], '--data-dir', dataDir]);
      expect(kda.code).toBe(0);
      expect(kda.stdout).toContain('version 1 of 1, 1 ledger amendment(s)');
      expect(kda.stdout).not.toContain('Version 2');
      const amendments = kda.stdout.slice(kda.stdout.indexOf('Ledger amendments (1)'));
      expect(amendments).toContain('of version 1');
      expect(amendments).toContain("Transcription error: the report spells the soldier's name Sipan Melkonian.");
      expect(amendments).toContain(`recorded    ${recordedAt[AMENDMENT_STEP]} by test-recorder`);
      expect(amendments).toContain('assertions.casualties[0].named[0].name: "Sipan Melkonyan" → "Sipan Melkonian"');
    });

    it('as of a moment before the correction, and as JSON', async () => {
      const before = JSON.parse(
        (await cli(['history', refs.incident, refs['az-mod-claim'], '--as-of', recordedAt[CORRECTION_STEP - 1], '--json', '--data-dir', dataDir])).stdout,
      );
      expect(before.versions).toHaveLength(1);
      expect(before.asOf).toEqual({ clock: 'recorded', at: recordedAt[CORRECTION_STEP - 1] });
      const now = JSON.parse((await cli(['history', refs.incident, refs['az-mod-claim'], '--json', '--data-dir', dataDir])).stdout);
      expect(now.asOf).toBeNull();
      expect(now.versions.map((v: { version: number; recordedBy: string; recordedAt: string }) => [v.version, v.recordedBy, v.recordedAt])).toEqual([
        [1, 'test-recorder', recordedAt[8]],
        [2, 'test-recorder', recordedAt[CORRECTION_STEP]],
      ]);
    });
  });

  describe('verify', () => {
    it('exits 0 on the clean log, with the summary (text and JSON, data-dir key or --keys)', async () => {
      const text = await cli(['verify', '--data-dir', dataDir]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('Ledger verified');
      expect(text.stdout).toMatch(new RegExp(`events\\s+${log.length}\\n`));
      expect(text.stdout).toMatch(/checkpoints\s+2\n/);
      expect(text.stdout).toMatch(/unnotarized\s+0 ledger event/);
      expect(text.stdout).toContain(join(dataDir, 'notary-ed25519.pem'));

      const json = await cli(['verify', '--json', '--keys', keysFile, '--data-dir', dataDir]);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({ ok: true, events: log.length, checkpoints: 2, findings: [] });
      expect(report.latestCheckpoint.treeSize).toBe(report.leaves);
    });

    it('exits with failure naming the event whose stored bytes were changed', async () => {
      const copy = tempDir('ledger-cli-tampered-');
      cpSync(dataDir, copy, { recursive: true });
      const victim = log.find((e) => e.type.startsWith('ClaimMade.') && (e.data as { claimId: string }).claimId === refs['az-mod-claim'])!;
      const db = new Database(join(copy, 'events.sqlite'));
      try {
        db.exec('DROP TRIGGER events_append_only_no_update');
        const row = db.prepare('SELECT data FROM events WHERE position = ?').get(victim.position) as { data: string };
        expect(row.data).toContain('Aqil Omarov');
        db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('Aqil Omarov', 'Aqil Omarow'), victim.position);
      } finally {
        db.close();
      }
      const run = await cli(['verify', '--data-dir', copy, '--keys', keysFile]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Ledger verification FAILED');
      expect(run.stdout).toContain(`hash-mismatch: Event incident-${refs.incident}@${victim.revision} (position ${victim.position})`);
      expect(run.stdout).toContain(`[event ${victim.eventId}]`);
      expect(run.stdout).toContain('First failure');
      expect(run.stderr).toContain('ledger-cli: verification failed');

      const json = JSON.parse((await cli(['verify', '--json', '--data-dir', copy])).stdout);
      expect(json.ok).toBe(false);
      expect(json.firstFailure).toMatchObject({ kind: 'hash-mismatch', eventId: victim.eventId, position: victim.position.toString() });
    });

    it('without any key to check signatures with: usage error, and no key is created', async () => {
      const copy = tempDir('ledger-cli-keyless-');
      cpSync(dataDir, copy, { recursive: true });
      rmSync(join(copy, 'notary-ed25519.pem'));
      const run = await cli(['verify', '--data-dir', copy]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('No public key to check checkpoint signatures with: pass --keys');
      expect(existsSync(join(copy, 'notary-ed25519.pem'))).toBe(false);
      expect((await cli(['verify', '--data-dir', copy, '--keys', keysFile])).code).toBe(0);
    });
  });

  describe('export', () => {
    let outDir: string;
    let run: CliRun;

    beforeAll(async () => {
      outDir = join(tempDir('ledger-cli-export-'), 'audit');
      run = await cli(['export', outDir, '--keys', keysFile, '--progress', '--data-dir', dataDir]);
    });

    it('writes events.jsonl: every event in global order with its chain fields', () => {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`Exported ${log.length} events`);
      const lines = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(log.length);
      const events = lines.map((line) => JSON.parse(line));
      expect(events.map((e) => e.position)).toEqual(log.map((e) => e.position.toString()));
      expect(Object.keys(events[0]).sort()).toEqual(['data', 'eventId', 'metadata', 'position', 'revision', 'streamName', 'type']);
      for (const [i, e] of events.entries()) {
        expect(e).toEqual({ ...e, eventId: log[i].eventId, streamName: log[i].streamName, revision: log[i].revision.toString(), type: log[i].type });
        expect(e.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(e.metadata).toHaveProperty('prevHash');
      }
      expect(events.filter((e) => e.streamName === 'integrity-checkpoints')).toHaveLength(2);
    });

    it('writes checkpoint.json: the latest checkpoint, the keys, and a consistency proof from the earlier one', () => {
      const checkpoint = JSON.parse(readFileSync(join(outDir, 'checkpoint.json'), 'utf8'));
      const leaves = log.filter((e) => e.streamName.startsWith('incident-') || e.streamName.startsWith('party-')).length;
      const signed = log.filter((e) => e.streamName === 'integrity-checkpoints').map((e) => e.data);
      expect(checkpoint.latest).toEqual(signed[1]);
      expect(checkpoint.latest.treeSize).toBe(leaves);
      expect(checkpoint.keys).toEqual(jwks);
      expect(checkpoint.consistency).toHaveLength(1);
      expect(checkpoint.consistency[0].first).toEqual(signed[0]);
      expect(checkpoint.consistency[0].proof.length).toBeGreaterThan(0);
      checkpoint.consistency[0].proof.forEach((h: string) => expect(h).toMatch(/^[0-9a-f]{64}$/));
    });

    it('is accepted by the standalone verifier, which rejects it once one line of events.jsonl is altered', () => {
      expect(verifyExportDir(outDir, jwks)).toMatchObject({ ok: true });
      expect(verifyExportDir(outDir)).toMatchObject({ ok: true });

      const altered = join(tempDir('ledger-cli-export-altered-'), 'audit');
      cpSync(outDir, altered, { recursive: true });
      const lines = readFileSync(join(altered, 'events.jsonl'), 'utf8').split('\n');
      const i = lines.findIndex((line) => line.includes('Sipan Melkonyan'));
      lines[i] = lines[i].replace('Sipan Melkonyan', 'Sipan Melkonyam');
      writeFileSync(join(altered, 'events.jsonl'), lines.join('\n'));
      const result = verifyExportDir(altered, jwks);
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
    });

    it('writes the read models as CSV with the expected headers and rows', () => {
      expect(readdirSync(join(outDir, 'read-models')).sort()).toEqual([
        'amendments.csv',
        'claim-versions.csv',
        'disagreements.csv',
        'incidents.csv',
        'parties.csv',
        'party-versions.csv',
      ]);
      const header = (file: string) => readFileSync(join(outDir, 'read-models', file), 'utf8').split('\n')[0];
      expect(header('incidents.csv')).toMatch(/^incidentId,title,category,occurredFrom,occurredTo,/);
      expect(header('party-versions.csv')).toMatch(/^incidentId,partyId,partyName,claims,/);
      expect(header('disagreements.csv')).toBe('incidentId,disagreement,kind,field,side,figure,deniedAssertions,partyId,partyName,role,claimId,denialId,value,claimVersion');
      expect(header('claim-versions.csv')).toContain('claimId,partyId,partyName,version,kind,current,statedAt,statedPrecision,recordedAt,recordedBy,eventId,position,sourceTitle');

      const incidents = readCsv(join(outDir, 'read-models', 'incidents.csv'));
      expect(incidents).toEqual([
        expect.objectContaining({ incidentId: refs.incident, title: 'Deadly ceasefire violations on the Karabakh line of contact', claims: '5', corrections: '1', amendments: '1', contested: 'true' }),
      ]);

      const parties = readCsv(join(outDir, 'read-models', 'party-versions.csv'));
      expect(parties.map((p) => p.partyId)).toEqual([
        'azerbaijan-defence-ministry',
        'azerbaijan-foreign-ministry',
        'karabakh-defense-army',
        'armenia-foreign-ministry',
        'osce-minsk-group-co-chairs',
      ]);
      expect(parties[0]).toMatchObject({
        partyName: 'Ministry of Defence of Azerbaijan',
        responsibleParties: 'karabakh-defense-army',
        ceasefireViolated: 'true',
        ceasefireViolatedBy: 'karabakh-defense-army',
        killed: '1',
        casualties: 'azerbaijan-defence-ministry: killed 1; named Aqil Omarov (mid-ranking officer, killed)',
      });
      expect(parties[2].casualties).toContain('Sipan Melkonian (soldier, killed)');

      const versions = readCsv(join(outDir, 'read-models', 'claim-versions.csv'));
      expect(versions).toHaveLength(6);
      const corrected = versions.filter((v) => v.claimId === refs['az-mod-claim']);
      expect(corrected.map((v) => [v.version, v.kind, v.current, v.recordedBy, v.recordedAt])).toEqual([
        ['1', 'made', 'false', 'test-recorder', recordedAt[8]],
        ['2', 'corrected', 'true', 'test-recorder', recordedAt[CORRECTION_STEP]],
      ]);
      expect(corrected[1]).toMatchObject({ statedAt: '2019-05-30', statedPrecision: 'day', reason: 'The ministry identified the victim as a mid-ranking officer.' });
      expect(corrected[1].changes).toContain('assertions.casualties[0].named[0].role: "serviceman" -> "mid-ranking officer"');
      expect(corrected[1].sourceTitle).not.toBe('');

      const disagreements = readCsv(join(outDir, 'read-models', 'disagreements.csv'));
      const denial = disagreements.filter((d) => d.kind === 'denial' && d.claimId === refs['az-mod-claim']);
      expect(denial.map((d) => [d.role, d.partyId])).toEqual([
        ['claimant', 'azerbaijan-defence-ministry'],
        ['denier', 'karabakh-defense-army'],
      ]);
      expect(denial[1]).toMatchObject({ denialId: refs['kda-denial'], deniedAssertions: 'ceasefire; responsibleParties', claimVersion: '1' });
      // The denial came before the correction: version 1 carries it, version 2 does not.
      expect(corrected.map((v) => [v.version, v.denials])).toEqual([['1', '1'], ['2', '0']]);

      const amendments = readCsv(join(outDir, 'read-models', 'amendments.csv'));
      expect(amendments).toEqual([expect.objectContaining({ entryKind: 'claim', claimId: refs['kda-claim'], version: '1', fields: 'statement; assertions' })]);
    });

    it('draws progress bars on the progress stream only when asked (--progress, or a terminal), never on stdout', async () => {
      expect(run.bars).toContain('reading events');
      expect(run.bars).toContain('writing CSV');
      expect(run.bars).toContain('100%');
      expect(run.stdout).not.toContain('reading events');
      const quiet = await cli(['versions', refs.incident, '--data-dir', dataDir]);
      expect(quiet.bars).toBe('');
    });

    it('refuses a directory that is not empty (usage)', async () => {
      const refused = await cli(['export', outDir, '--data-dir', dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${outDir} is not empty`);
    });
  });

  describe('bad usage and unknown things', () => {
    it('an unknown incident or claim fails with a clear message', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const command of ['replay', 'versions']) {
        const run = await cli([command, unknown, '--data-dir', dataDir]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`ledger-cli: No incident ${unknown} in the ledger: stream incident-${unknown} has no events`);
      }
      const claim = await cli(['history', refs.incident, unknown, '--data-dir', dataDir]);
      expect(claim.code).toBe(1);
      expect(claim.stderr).toContain(`No claim ${unknown} in incident ${refs.incident}`);
      const early = await cli(['history', refs.incident, refs['kda-claim'], '--as-of', recordedAt[8], '--data-dir', dataDir]);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain(`Claim ${refs['kda-claim']} of incident ${refs.incident} was not yet made as of recorded time ${recordedAt[8]}`);
      const beforeIncident = await cli(['versions', refs.incident, '--as-of', '2019-01-01', '--data-dir', dataDir]);
      expect(beforeIncident.code).toBe(1);
      expect(beforeIncident.stderr).toContain(`Incident ${refs.incident} is not in the ledger as of recorded time 2019-01-01T23:59:59.999Z`);
    });

    it('a bad --as-of, --clock or a clash of clocks is a usage error', async () => {
      const cases: Array<[string[], string]> = [
        [['--as-of', 'yesterday'], '--as-of must be an ISO-8601 date-time with offset'],
        [['--as-of', '2019-02-30'], '--as-of must be an ISO-8601 date-time with offset'],
        [['--as-of', '2019-06-01', '--clock', 'sideways'], '--clock must be one of recorded, stated, position'],
        [['--as-of', '2019-06-01', '--position', '3'], 'give --as-of or --position, not both'],
        [['--position', 'ten'], '--position must be a global log position'],
        [['--clock', 'stated'], '--clock needs --as-of'],
      ];
      for (const [args, message] of cases) {
        const run = await cli(['versions', refs.incident, ...args, '--data-dir', dataDir]);
        expect({ args, code: run.code }).toEqual({ args, code: 2 });
        expect(run.stderr).toContain(message);
      }
    });

    it('a missing data directory is a usage error, as for status', async () => {
      const missing = join(tempDir('ledger-cli-missing-'), 'nope');
      const run = await cli(['replay', refs.incident, '--data-dir', missing]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Data directory ${missing} does not exist (from --data-dir)`);
      expect(existsSync(missing)).toBe(false);
    });
  });

  describe('the built binary', () => {
    beforeAll(() => ensureBuilt('ledger-cli'), BUILD_TIMEOUT_MS);

    it('lists the auditor commands, prints JSON on stdout and progress bars on stderr', async () => {
      const help = await runBuiltCli(['--help']);
      expect(help.code).toBe(0);
      for (const command of ['replay', 'versions', 'history', 'verify', 'export', 'status', 'rebuild']) expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));

      const versions = await runBuiltCli(['versions', refs.incident, '--as-of', '2019-05-30', '--clock', 'stated', '--json', '--data-dir', dataDir]);
      expect(versions.code).toBe(0);
      expect(versions.stderr).toBe('');
      expect(JSON.parse(versions.stdout).parties).toHaveLength(1);

      const outDir = join(tempDir('ledger-cli-built-export-'), 'audit');
      const exported = await runBuiltCli(['export', outDir, '--progress', '--data-dir', dataDir]);
      expect({ code: exported.code, stdout: exported.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining(`Exported ${log.length} events`) });
      expect(exported.stderr).toContain('reading events');
      expect(exported.stderr).toContain('writing CSV');
      expect(exported.stdout).not.toContain('reading events');
      expect(verifyExportDir(outDir, jwks)).toMatchObject({ ok: true });

      const verify = await runBuiltCli(['verify', '--keys', keysFile, '--data-dir', dataDir]);
      expect(verify.code).toBe(0);
      expect(verify.stderr).toBe('');
    });
  });
});

describe('export without a signed checkpoint', () => {
  let dataDir: string;

  beforeAll(async () => {
    const t = await startLedger();
    dataDir = t.dataDir;
    dirs.push(dataDir);
    const res = await t.app.inject({
      method: 'POST',
      url: '/parties',
      payload: { partyId: 'osce-minsk-group-co-chairs', name: 'OSCE Minsk Group Co-Chairs', kind: 'mediator', aliases: [] },
      headers: { authorization: `Bearer ${t.tokens.recorder}` },
    });
    expect(res.statusCode).toBe(201);
    await t.close({ keepData: true });
  });

  it('says so and fails, unless --allow-unsigned', async () => {
    const outDir = join(tempDir('ledger-cli-unsigned-'), 'audit');
    const refused = await cli(['export', outDir, '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('No signed checkpoint in the log yet');
    expect(existsSync(outDir)).toBe(false);

    mkdirSync(outDir);
    const allowed = await cli(['export', outDir, '--allow-unsigned', '--json', '--data-dir', dataDir]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ events: 1, leaves: 1, latestCheckpoint: null, problems: [] });
    expect(JSON.parse(readFileSync(join(outDir, 'checkpoint.json'), 'utf8'))).toMatchObject({ latest: null, consistency: [] });
    expect(readCsv(join(outDir, 'read-models', 'parties.csv'))).toEqual([expect.objectContaining({ partyId: 'osce-minsk-group-co-chairs', kind: 'mediator' })]);
    expect(readCsv(join(outDir, 'read-models', 'incidents.csv'))).toEqual([]);
  });
});

describe('ledger-cli auditor commands on EventStoreDB (EVENTSTORE_CONNECTION_STRING, over the wire double or EVENTSTORE_TEST_CONNECTION_STRING)', () => {
  let esdb: EsdbTarget;
  let t: LedgerTestApp;
  let refs: Record<string, string>;
  let env: Record<string, string>;

  beforeAll(async () => {
    esdb = await startEsdbTargetForLedger();
    t = await startLedgerOnEsdb(esdb.connectionString);
    ({ refs } = await playScenario(t));
    expect((await post(t, '/integrity/checkpoints', t.tokens.auditor)).statusCode).toBe(201);
    env = { EVENTSTORE_CONNECTION_STRING: esdb.connectionString };
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await esdb?.close();
  });

  it('replays, answers as of a moment and verifies from EventStoreDB while the API runs', async () => {
    const replay = await cli(['replay', refs.incident, '--data-dir', t.dataDir], env);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('read from EventStoreDB');
    expect(replay.stdout).toContain('assertions.casualties[0].named[0].role: "serviceman" → "mid-ranking officer"');
    const stated = JSON.parse((await cli(['versions', refs.incident, '--as-of', '2019-05-30', '--clock', 'stated', '--json', '--data-dir', t.dataDir], env)).stdout);
    expect(stated.parties.map((p: { partyId: string }) => p.partyId)).toEqual(['azerbaijan-defence-ministry']);
    const verify = await cli(['verify', '--json', '--data-dir', t.dataDir], env);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checkpoints: 1, unnotarizedLeaves: 0 });
  });

  it('exports the ledger streams and the integrity streams in global order; the standalone verifier accepts it', async () => {
    const outDir = join(tempDir('ledger-cli-esdb-export-'), 'audit');
    const run = await cli(['export', outDir, '--json', '--data-dir', t.dataDir], env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const events = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    const positions = events.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect(events.filter((e) => e.streamName === 'integrity-checkpoints')).toHaveLength(1);
    expect(events.filter((e) => e.streamName.startsWith('incident-'))).toHaveLength(10);
    const keys = (await t.app.inject({ method: 'GET', url: '/.well-known/ledger-keys.json' })).json();
    expect(verifyExportDir(outDir, keys)).toMatchObject({ ok: true });
    expect(readCsv(join(outDir, 'read-models', 'claim-versions.csv'))).toHaveLength(6);
  });
});
