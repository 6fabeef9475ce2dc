import { spawnSync } from 'node:child_process';
import { sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CheckpointBody,
  MerkleLog,
  NotaryKey,
  SignedCheckpoint,
  checkpointSigningInput,
  eventHash,
  eventLeafHash,
  generateNotaryKey,
  jwksOf,
  leafHash,
  publicJwk,
  sealEvents,
  signCheckpoint,
} from '@ledger/integrity';
import {
  Result,
  eventHashOf,
  leafHashOf,
  main,
  verifyCheckpoint,
  verifyConsistencyBundle,
  verifyExportDir,
  verifyInclusionBundle,
} from './ledger-verifier';

const VERIFIER = path.join(__dirname, 'ledger-verifier.js');
const ORIGIN = 'incident-ledger.test';

interface ExportedEvent {
  position: string;
  eventId: string;
  streamName: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/**
 * The order streams are written in: ledger streams interleaved with streams that are no leaves of the tree
 * (the notary's own stream, a system stream), several events per batch so sealing links across batches too.
 */
const SCRIPT: Array<[stream: string, count: number]> = [
  ['party-p1', 1],
  ['incident-i1', 2],
  ['ledger-integrity', 1],
  ['party-p2', 1],
  ['incident-i1', 1],
  ['incident-i2', 3],
  ['$stats-127.0.0.1', 1],
  ['party-p1', 1],
  ['incident-i1', 2],
  ['ledger-integrity', 1],
  ['incident-i2', 1],
  ['party-p2', 2],
  ['incident-i1', 1],
];

const buildEvents = (): ExportedEvent[] => {
  const heads = new Map<string, { next: bigint; hash: string | null }>();
  const events: ExportedEvent[] = [];
  let position = 1000n;
  let counter = 0;
  for (const [stream, count] of SCRIPT) {
    const head = heads.get(stream) ?? { next: 0n, hash: null };
    const batch = Array.from({ length: count }, () => {
      counter += 1;
      return {
        eventId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
        type: stream.startsWith('incident-') ? 'ClaimMade.v1' : 'PartyRegistered.v1',
        data: { n: counter, text: `Zeugenaussage «${counter}» — ✓`, at: '2024-05-01T10:00:00Z', nested: { b: 2, a: [1, 'x'] } },
        metadata: { recordedAt: '2024-05-02T00:00:00Z', recordedBy: 'editor-1', $correlationId: `c-${counter}` } as Record<string, unknown>,
      };
    });
    const sealed = sealEvents(stream, head.next, head.hash, batch);
    sealed.forEach((event, i) => {
      position += 37n + BigInt(i);
      events.push({ position: position.toString(), streamName: stream, revision: (head.next + BigInt(i)).toString(), ...event });
    });
    heads.set(stream, { next: head.next + BigInt(count), hash: sealed[sealed.length - 1].metadata.hash as string });
  }
  return events;
};

const isLedger = (stream: string): boolean => stream.startsWith('incident-') || stream.startsWith('party-');

/** The notary side, built only from libs/integrity: the verifier under test shares no code with it. */
class Notary {
  readonly ledgerEvents: ExportedEvent[];
  readonly log: MerkleLog;

  constructor(
    readonly events: ExportedEvent[],
    readonly key: NotaryKey = generateNotaryKey(),
  ) {
    this.ledgerEvents = events.filter((event) => isLedger(event.streamName));
    this.log = new MerkleLog(this.ledgerEvents.map((event) => eventLeafHash(event.metadata.hash as string)));
  }

  body(size: number): CheckpointBody {
    const lastPosition = size === 0 ? '0' : this.ledgerEvents[size - 1].position;
    const heads = new Map<string, { revision: string; hash: string }>();
    for (const event of this.ledgerEvents.slice(0, size)) {
      heads.set(event.streamName, { revision: event.revision, hash: event.metadata.hash as string });
    }
    return {
      origin: ORIGIN,
      treeSize: size,
      rootHash: this.log.root(size).toString('hex'),
      lastPosition,
      timestamp: new Date(Date.UTC(2024, 5, 1, 12, size)).toISOString(),
      keyId: this.key.keyId,
      streamHeads: [...heads].map(([stream, head]) => ({ stream, ...head })).sort((a, b) => a.stream.localeCompare(b.stream)),
    };
  }

  checkpoint(size: number = this.log.size): SignedCheckpoint {
    return signCheckpoint(this.body(size), this.key);
  }

  inclusion(leafIndex: number, size: number = this.log.size) {
    const { position, ...event } = this.ledgerEvents[leafIndex];
    return {
      kind: 'inclusion' as const,
      event,
      position,
      leafIndex,
      treeSize: size,
      auditPath: this.log.inclusionProof(leafIndex, size).map((hash) => hash.toString('hex')),
      checkpoint: this.checkpoint(size),
    };
  }

  consistency(m: number, n: number = this.log.size) {
    return {
      kind: 'consistency' as const,
      first: this.checkpoint(m),
      second: this.checkpoint(n),
      proof: this.log.consistencyProof(m, n).map((hash) => hash.toString('hex')),
    };
  }

  exportFiles(earlierSizes: number[]) {
    return {
      events: this.events,
      checkpoint: {
        latest: this.checkpoint(),
        keys: jwksOf([this.key.publicKey]),
        consistency: earlierSizes.map((size) => ({
          first: this.checkpoint(size),
          proof: this.log.consistencyProof(size).map((hash) => hash.toString('hex')),
        })),
      },
    };
  }
}

const resign = (body: CheckpointBody, key: NotaryKey): SignedCheckpoint => signCheckpoint({ ...body, keyId: key.keyId }, key);

const expectOk = (result: Result): void => {
  expect(result.problems).toEqual([]);
  expect(result.ok).toBe(true);
};

const expectProblem = (result: Result, ...fragments: string[]): void => {
  expect(result.ok).toBe(false);
  for (const fragment of fragments) {
    expect(result.problems.some((problem) => problem.includes(fragment))).toBe(true);
  }
};

describe('ledger-verifier (standalone)', () => {
  const events = buildEvents();
  const notary = new Notary(events);
  const jwks = jwksOf([notary.key.publicKey]);
  const n = notary.log.size;
  const label = (event: ExportedEvent): string => `${event.streamName}@${event.revision} (position ${event.position})`;

  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-verifier-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  let exportCount = 0;
  const writeExport = (files: { events: ExportedEvent[]; checkpoint: unknown }): string => {
    exportCount += 1;
    const dir = path.join(tmp, `export-${exportCount}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'events.jsonl'), files.events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(files.checkpoint, null, 2));
    return dir;
  };
  const writeJson = (name: string, value: unknown): string => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('builds the fixture it claims to', () => {
    expect(events).toHaveLength(18);
    expect(n).toBe(15);
    expect(notary.ledgerEvents.map((event) => `${event.streamName}@${event.revision}`).slice(0, 6)).toEqual([
      'party-p1@0',
      'incident-i1@0',
      'incident-i1@1',
      'party-p2@0',
      'incident-i1@2',
      'incident-i2@0',
    ]);
  });

  describe('re-implements the ledger hashing independently', () => {
    it('computes the same event hashes and leaf hashes as libs/integrity', () => {
      for (const { position: _position, ...event } of events) {
        const expected = eventHash({ ...event, revision: BigInt(event.revision) });
        expect(eventHashOf(event)).toBe(expected);
        expect(event.metadata.hash).toBe(expected);
        expect(leafHashOf(expected).equals(leafHash(Buffer.from(expected, 'hex')))).toBe(true);
      }
    });

    it('requires only node built-ins and canonicalize', () => {
      const source = fs.readFileSync(VERIFIER, 'utf8');
      const requires = [...source.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((match) => match[1].trim());
      expect(requires.length).toBeGreaterThanOrEqual(4);
      for (const argument of requires) {
        expect(argument).toMatch(/^'(node:[a-z_]+|canonicalize)'$/);
      }
      expect(new Set(requires)).toEqual(new Set(["'node:crypto'", "'node:fs'", "'node:path'", "'canonicalize'"]));
      expect(source).not.toMatch(/^\s*import\s/m);
      expect(source).not.toMatch(/\bimport\s*\(/);
      expect(source).not.toContain('libs/');
      expect(source.split('\n')[1]).toBe('// @ts-check');
    });
  });

  describe('checkpoints', () => {
    it('accepts a checkpoint signed by a published key', () => {
      expectOk(verifyCheckpoint(notary.checkpoint(), jwks));
      expectOk(verifyCheckpoint(notary.checkpoint(0), jwks));
    });

    it('rejects a checkpoint by a key not in the set, a flipped signature byte, and a wrong kid', () => {
      const other = generateNotaryKey();
      expectProblem(verifyCheckpoint(resign(notary.body(n), other), jwks), `signed by key ${other.keyId}, which is not in the key set`);

      const cp = notary.checkpoint();
      const signature = Buffer.from(cp.signature, 'base64');
      signature[10] ^= 0x80;
      expectProblem(verifyCheckpoint({ ...cp, signature: signature.toString('base64') }, jwks), 'checkpoint: signature is not valid');
      expectProblem(verifyCheckpoint({ ...cp, treeSize: n - 1 }, jwks), 'checkpoint: signature is not valid');

      // The other key's JWK relabelled with the notary's kid: the set must not vouch for it under that name.
      const relabelled = { keys: [{ ...publicJwk(other.publicKey), kid: notary.key.keyId }] };
      expectProblem(verifyCheckpoint(resign(notary.body(n), other), relabelled), 'not in the key set');
      const forged = { ...notary.body(n), signature: sign(null, checkpointSigningInput(notary.body(n)), other.privateKey).toString('base64') };
      expectProblem(verifyCheckpoint(forged, relabelled), `the key set labels a key ${notary.key.keyId}, but that key's id`);

      // A checkpoint naming another key, but signed by the real one.
      const renamed = { ...notary.body(n), keyId: other.keyId };
      const renamedSig = sign(null, checkpointSigningInput(renamed), notary.key.privateKey).toString('base64');
      expectProblem(verifyCheckpoint({ ...renamed, signature: renamedSig }, jwksOf([notary.key.publicKey, other.publicKey])), 'signature is not valid');
    });

    it('reports malformed checkpoints and key sets instead of throwing', () => {
      expectProblem(verifyCheckpoint(null, jwks), 'checkpoint: not a JSON object');
      expectProblem(verifyCheckpoint({ ...notary.checkpoint(), rootHash: 'zz' }, jwks), 'rootHash is not 64 lowercase hex digits');
      expectProblem(verifyCheckpoint(notary.checkpoint(), { keys: 'x' }), 'the key set is not a JWK Set');
      expectProblem(verifyCheckpoint(notary.checkpoint(), { keys: [{ ...jwks.keys[0], crv: 'P-256' }] }), 'is not an Ed25519 (OKP) public key');
    });
  });

  describe('inclusion bundles', () => {
    it('accepts every leaf in the latest tree and in an earlier one', () => {
      for (let i = 0; i < n; i += 1) expectOk(verifyInclusionBundle(notary.inclusion(i), jwks));
      for (let i = 0; i < 7; i += 1) expectOk(verifyInclusionBundle(notary.inclusion(i, 7), jwks));
      const result = verifyInclusionBundle(notary.inclusion(4), jwks);
      expect(result.notes[0]).toContain(`event ${label(notary.ledgerEvents[4])}`);
    });

    it('rejects an event whose data was changed, naming it', () => {
      const bundle = notary.inclusion(5);
      const tampered = { ...bundle, event: { ...bundle.event, data: { ...(bundle.event.data as object), n: 999 } } };
      expectProblem(verifyInclusionBundle(tampered, jwks), `event ${label(notary.ledgerEvents[5])}: content hashes to`, 'audit path does not lead');
    });

    it('rejects a changed event even when its hash was recomputed to match', () => {
      const bundle = notary.inclusion(5);
      const data = { ...(bundle.event.data as object), n: 999 };
      const { hash: _hash, ...metadata } = bundle.event.metadata;
      const rehashed = eventHash({ ...bundle.event, data, metadata, revision: BigInt(bundle.event.revision) });
      const tampered = { ...bundle, event: { ...bundle.event, data, metadata: { ...metadata, hash: rehashed } } };
      const result = verifyInclusionBundle(tampered, jwks);
      expect(result.problems).toEqual([
        `event ${label(notary.ledgerEvents[5])}: the audit path does not lead from leaf 5 to the signed root ${notary.log.root().toString('hex')} of tree size ${n}`,
      ]);
    });

    it('rejects a different event presented under the same index', () => {
      const bundle = notary.inclusion(3);
      const { position, ...other } = notary.ledgerEvents[8];
      expectProblem(verifyInclusionBundle({ ...bundle, event: other, position }, jwks), 'audit path does not lead from leaf 3');
      expectProblem(verifyInclusionBundle({ ...notary.inclusion(8), leafIndex: 3 }, jwks), 'audit path does not lead from leaf 3');
    });

    it('rejects a wrong root, even one the notary key signed', () => {
      const bundle = notary.inclusion(2);
      const wrongRoot = resign({ ...notary.body(n), rootHash: notary.log.root(n - 1).toString('hex') }, notary.key);
      const result = verifyInclusionBundle({ ...bundle, checkpoint: wrongRoot }, jwks);
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toContain('the audit path does not lead from leaf 2');
      expectProblem(verifyInclusionBundle({ ...bundle, checkpoint: { ...bundle.checkpoint, rootHash: wrongRoot.rootHash } }, jwks), 'checkpoint: signature is not valid', 'audit path does not lead');
    });

    it('rejects a tampered audit path, index beyond the tree, and a size the checkpoint does not have', () => {
      const bundle = notary.inclusion(6);
      const path0 = bundle.auditPath[0];
      const flipped = `${path0.slice(0, 63)}${path0[63] === '0' ? '1' : '0'}`;
      expectProblem(verifyInclusionBundle({ ...bundle, auditPath: [flipped, ...bundle.auditPath.slice(1)] }, jwks), 'audit path does not lead');
      expectProblem(verifyInclusionBundle({ ...bundle, auditPath: bundle.auditPath.slice(1) }, jwks), 'audit path does not lead');
      expectProblem(verifyInclusionBundle({ ...bundle, treeSize: 6, checkpoint: notary.checkpoint(6) }, jwks), 'leaf index 6 is outside the checkpoint');
      expectProblem(verifyInclusionBundle({ ...bundle, treeSize: n + 1 }, jwks), `treeSize ${n + 1} is not the checkpoint's tree size ${n}`);
      expectProblem(verifyInclusionBundle({ ...bundle, auditPath: ['nothex'] }, jwks), 'auditPath is not an array');
    });

    it('rejects signatures by other keys, flipped bytes and a wrong kid', () => {
      const bundle = notary.inclusion(1);
      const other = generateNotaryKey();
      expectProblem(verifyInclusionBundle({ ...bundle, checkpoint: resign(notary.body(n), other) }, jwks), 'which is not in the key set');
      const signature = Buffer.from(bundle.checkpoint.signature, 'base64');
      signature[63] ^= 0x01;
      expectProblem(verifyInclusionBundle({ ...bundle, checkpoint: { ...bundle.checkpoint, signature: signature.toString('base64') } }, jwks), 'signature is not valid');
      expectProblem(verifyInclusionBundle(bundle, jwksOf([other.publicKey])), `signed by key ${notary.key.keyId}, which is not in the key set`);
      expectProblem(verifyInclusionBundle(bundle, { keys: [{ ...publicJwk(other.publicKey), kid: notary.key.keyId }] }), "but that key's id");
    });

    it('rejects an event of a stream that is not a ledger stream', () => {
      const { position, ...notLedger } = events.find((event) => event.streamName === 'ledger-integrity') as ExportedEvent;
      expectProblem(verifyInclusionBundle({ ...notary.inclusion(2), event: notLedger, position }, jwks), 'ledger-integrity is not a ledger stream');
    });

    it('rejects a bundle whose event is after the checkpoint', () => {
      const bundle = notary.inclusion(3, 4);
      expectOk(verifyInclusionBundle(bundle, jwks));
      const later = notary.ledgerEvents[9];
      expectProblem(verifyInclusionBundle({ ...bundle, position: later.position }, jwks), `position is after the checkpoint's last position ${notary.ledgerEvents[3].position}`);
    });
  });

  describe('consistency bundles', () => {
    it('accepts honest proofs between any two checkpoints', () => {
      for (const [m, size] of [[0, n], [1, n], [5, 9], [8, n], [7, 7], [n, n], [0, 0]]) {
        expectOk(verifyConsistencyBundle(notary.consistency(m, size), jwks));
      }
      expect(verifyConsistencyBundle(notary.consistency(5, 9), jwks).notes[2]).toBe('the first 5 leaves are unchanged; 4 appended');
    });

    it('rejects a second checkpoint smaller than the first (a truncated log)', () => {
      const honest = notary.consistency(6, 12);
      expectProblem(verifyConsistencyBundle({ ...honest, first: honest.second, second: honest.first }, jwks), 'tree size 6 is smaller than the earlier 12');
    });

    it('rejects a log rewritten under the old checkpoint', () => {
      const rewrittenEvents = buildEvents().map((event, i) => (i === 2 ? { ...event, metadata: { ...event.metadata, hash: 'ab'.repeat(32) } } : event));
      const forked = new Notary(rewrittenEvents, notary.key);
      const bundle = { kind: 'consistency', first: notary.checkpoint(5), second: forked.checkpoint(), proof: forked.consistency(5).proof };
      expectProblem(verifyConsistencyBundle(bundle, jwks), `does not show tree ${n}`);
    });

    it('rejects tampered proofs and foreign signatures', () => {
      const honest = notary.consistency(3, 11);
      expectProblem(verifyConsistencyBundle({ ...honest, proof: honest.proof.slice(1) }, jwks), 'does not show tree 11');
      expectProblem(verifyConsistencyBundle({ ...honest, proof: [...honest.proof].reverse() }, jwks), 'does not show tree 11');
      const other = generateNotaryKey();
      expectProblem(verifyConsistencyBundle({ ...honest, second: resign(notary.body(11), other) }, jwks), `second checkpoint: signed by key ${other.keyId}`);
      expectProblem(verifyConsistencyBundle({ ...honest, first: resign({ ...notary.body(3), origin: 'other' }, notary.key) }, jwks), 'is not the first checkpoint\'s origin other');
      expectProblem(verifyConsistencyBundle({ ...honest, kind: 'inclusion' }, jwks), 'not a consistency proof bundle');
    });
  });

  describe('export directories', () => {
    it('accepts an honest export, with trusted keys or with its own', () => {
      const dir = writeExport(notary.exportFiles([0, 1, 4, 9, n]));
      const trusted = verifyExportDir(dir, jwks);
      expectOk(trusted);
      expect(trusted.notes).toContain('events: 18 in 6 streams, 15 of them ledger events (leaves)');
      const own = verifyExportDir(dir);
      expectOk(own);
      expect(own.notes[0]).toContain('keys: taken from checkpoint.json itself');
    });

    it('accepts events appended after the latest checkpoint', () => {
      const files = notary.exportFiles([4]);
      const older = new Notary(events, notary.key);
      const latest = older.checkpoint(12);
      expectOk(verifyExportDir(writeExport({ ...files, checkpoint: { ...files.checkpoint, latest, consistency: [{ first: older.checkpoint(4), proof: older.consistency(4, 12).proof }] } }), jwks));
    });

    it('rejects a truncated log', () => {
      const lastLedger = events.map((event) => event.streamName).filter(isLedger).length;
      expect(lastLedger).toBe(n);
      const files = notary.exportFiles([4]);
      const keptLedger = new Set(notary.ledgerEvents.slice(0, n - 2));
      const truncated = events.filter((event) => !isLedger(event.streamName) || keptLedger.has(event));
      const result = verifyExportDir(writeExport({ ...files, events: truncated }), jwks);
      expectProblem(result, `it covers ${n} ledger events but the export has only ${n - 2} (events missing: truncated log)`);
      expectProblem(result, 'stream head');
    });

    it('rejects an event deleted mid-stream, naming the event after the gap', () => {
      const files = notary.exportFiles([]);
      const deleted = events.findIndex((event) => event.streamName === 'incident-i2' && event.revision === '1');
      const after = events[deleted + 1];
      expect(`${after.streamName}@${after.revision}`).toBe('incident-i2@2');
      const result = verifyExportDir(writeExport({ ...files, events: events.filter((_, i) => i !== deleted) }), jwks);
      expectProblem(
        result,
        `${label(after)}: revision 2 where 1 was expected (events are missing before it)`,
        `${label(after)}: prevHash ${after.metadata.prevHash} is not the hash ${events[deleted - 1].metadata.hash} of incident-i2@0 (chain broken)`,
        'truncated log',
      );
    });

    it('rejects two events swapped within a stream and across streams', () => {
      const files = notary.exportFiles([]);
      const i = events.findIndex((event) => event.streamName === 'incident-i2' && event.revision === '0');
      const swapped = [...events];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
      expectProblem(verifyExportDir(writeExport({ ...files, events: swapped }), jwks), `${label(events[i + 1])}: revision 1 where 0 was expected`, 'out of global order');

      // Lines swapped and positions swapped back: every chain still holds, only the tree's leaf order changed.
      const j = events.findIndex((event) => event.streamName === 'party-p2') + 1;
      const crossed = [...events];
      crossed[j - 1] = { ...events[j], position: events[j - 1].position };
      crossed[j] = { ...events[j - 1], position: events[j].position };
      expect(isLedger(crossed[j - 1].streamName) && isLedger(crossed[j].streamName)).toBe(true);
      const result = verifyExportDir(writeExport({ ...files, events: crossed }), jwks);
      expectProblem(result, `latest checkpoint: the first ${n} ledger events have root`);
    });

    it('rejects an altered event, naming it', () => {
      const files = notary.exportFiles([]);
      const k = 7;
      const altered = events.map((event, i) => (i === k ? { ...event, type: 'ClaimRetracted.v1' } : event));
      const result = verifyExportDir(writeExport({ ...files, events: altered }), jwks);
      expect(result.problems).toEqual([`${label(events[k])}: content hashes to ${eventHashOf({ ...events[k], type: 'ClaimRetracted.v1' })}, but metadata.hash says ${events[k].metadata.hash} (altered event)`]);
    });

    it('rejects an altered event whose hash was recomputed, at the next link and in the root', () => {
      const files = notary.exportFiles([]);
      const k = events.findIndex((event) => event.streamName === 'incident-i1' && event.revision === '1');
      const { hash: _hash, ...metadata } = events[k].metadata;
      const data = { rewritten: true };
      const forged = { ...events[k], data, metadata: { ...metadata, hash: eventHash({ ...events[k], data, metadata, revision: 1n }) } };
      const result = verifyExportDir(writeExport({ ...files, events: events.map((event, i) => (i === k ? forged : event)) }), jwks);
      const next = events.find((event) => event.streamName === 'incident-i1' && event.revision === '2') as ExportedEvent;
      expectProblem(result, `${label(next)}: prevHash`, `latest checkpoint: the first ${n} ledger events have root`);
    });

    it('rejects bad signatures in checkpoint.json and keys other than the trusted ones', () => {
      const files = notary.exportFiles([4]);
      const signature = Buffer.from(files.checkpoint.latest.signature, 'base64');
      signature[0] ^= 0x01;
      const badLatest = { ...files.checkpoint, latest: { ...files.checkpoint.latest, signature: signature.toString('base64') } };
      expectProblem(verifyExportDir(writeExport({ ...files, checkpoint: badLatest }), jwks), 'latest checkpoint: signature is not valid');

      // An export re-signed by an impostor with its keys inside: self-consistent, but not by the trusted key.
      const impostor = new Notary(events);
      const dir = writeExport(impostor.exportFiles([4]));
      expectOk(verifyExportDir(dir));
      expectProblem(verifyExportDir(dir, jwks), `latest checkpoint: signed by key ${impostor.key.keyId}, which is not in the key set`);
    });

    it('rejects an earlier checkpoint the log does not extend, and stream heads that do not match', () => {
      const files = notary.exportFiles([]);
      const forkedEarlier = resign({ ...notary.body(4), rootHash: notary.log.root(3).toString('hex') }, notary.key);
      const withFork = { ...files.checkpoint, consistency: [{ first: forkedEarlier, proof: notary.log.consistencyProof(4).map((h) => h.toString('hex')) }] };
      expectProblem(verifyExportDir(writeExport({ ...files, checkpoint: withFork }), jwks), 'consistency[0]: the consistency proof does not show', 'consistency[0]: the first 4 ledger events of the export have root');

      const body = notary.body(n);
      const heads = body.streamHeads.map((head) => (head.stream === 'party-p1' ? { ...head, revision: '0', hash: notary.ledgerEvents[0].metadata.hash as string } : head));
      const wrongHeads = { ...files.checkpoint, latest: resign({ ...body, streamHeads: heads }, notary.key) };
      expectProblem(verifyExportDir(writeExport({ ...files, checkpoint: wrongHeads }), jwks), 'latest checkpoint: stream head party-p1@0');

      const wrongPosition = { ...files.checkpoint, latest: resign({ ...body, lastPosition: events[events.length - 2].position }, notary.key) };
      expectProblem(verifyExportDir(writeExport({ ...files, checkpoint: wrongPosition }), jwks), `is at position ${events[events.length - 1].position}, the checkpoint says`);
    });

    it('reports unreadable exports', () => {
      expectProblem(verifyExportDir(path.join(tmp, 'missing')), 'checkpoint.json cannot be read (ENOENT)');
      const dir = writeExport(notary.exportFiles([]));
      fs.appendFileSync(path.join(dir, 'events.jsonl'), '{not json\n');
      expectProblem(verifyExportDir(dir, jwks), `events.jsonl line ${events.length + 1}: not JSON`);
    });
  });

  describe('command line', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [VERIFIER, ...args], { encoding: 'utf8', cwd: path.join(__dirname, '..', '..') });

    it('exits 0 when verified, 1 when not, 2 on usage errors', () => {
      const keys = writeJson('keys.json', jwks);
      const good = writeJson('inclusion.json', notary.inclusion(3));
      const bad = writeJson('inclusion-bad.json', { ...notary.inclusion(3), leafIndex: 4 });

      const ok = run('inclusion', good, '--keys', keys);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain(`inclusion ${good}: VERIFIED`);

      const failed = run('inclusion', bad, `--keys=${keys}`);
      expect(failed.status).toBe(1);
      expect(failed.stdout).toContain('FAILED (1 problem)');
      expect(failed.stdout).toContain('audit path does not lead from leaf 4');

      const exported = run('export', writeExport(notary.exportFiles([2])));
      expect(exported.status).toBe(0);
      expect(exported.stdout).toContain('VERIFIED');

      expect(run('inclusion', good).status).toBe(2);
      expect(run('frobnicate', good, '--keys', keys).status).toBe(2);
      expect(run('checkpoint', path.join(tmp, 'nope.json'), '--keys', keys).status).toBe(2);
    });

    it('routes each command in-process', () => {
      const out: string[] = [];
      const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
      const keys = writeJson('keys2.json', jwks);
      expect(main(['checkpoint', writeJson('cp.json', notary.checkpoint()), '--keys', keys], io)).toBe(0);
      expect(main(['consistency', writeJson('cons.json', notary.consistency(2, 10)), '--keys', keys], io)).toBe(0);
      expect(main(['consistency', writeJson('cons-bad.json', { ...notary.consistency(2, 10), proof: [] }), '--keys', keys], io)).toBe(1);
      expect(main(['export', tmp, '--keys'], io)).toBe(2);
      expect(main(['export', path.join(tmp, 'cp.json')], io)).toBe(2);
      expect(main(['--help'], io)).toBe(0);
      expect(out.join('')).toContain('usage: ledger-verifier');
    });
  });
});
