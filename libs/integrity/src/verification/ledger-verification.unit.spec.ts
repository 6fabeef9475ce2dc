import { sealEvents } from '../event-hash';
import { CHECKPOINT_SIGNED_TYPE, CHECKPOINT_STREAM } from '../integrity-streams';
import { eventLeafHash, MerkleLog } from '../merkle/merkle-tree';
import { generateNotaryKey } from '../signing/notary-key';
import { signCheckpoint, StreamHead } from '../signing/checkpoint';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileScratch } from '../scratch/scratch-space';
import { LedgerVerification, VerifiableEvent } from './ledger-verification';

const key = generateNotaryKey();
const keys = new Map([[key.keyId, key.publicKey]]);

/** A log built as the stores and the notary build it: sealed streams, checkpoints over the ledger leaves so far. */
class LogBuilder {
  readonly events: VerifiableEvent[] = [];
  private readonly tree = new MerkleLog();
  private readonly heads = new Map<string, StreamHead>();
  private position = 0n;
  private checkpoints = 0;

  append(streamName: string, count = 1): this {
    const existing = this.events.filter((e) => e.streamName === streamName);
    const last = existing[existing.length - 1];
    const sealed = sealEvents(
      streamName,
      BigInt(existing.length),
      (last?.metadata.hash as string | undefined) ?? null,
      Array.from({ length: count }, (_, i) => ({
        eventId: `${streamName}-${existing.length + i}`,
        type: 'ClaimMade.v1',
        data: { n: existing.length + i },
        metadata: { recordedAt: '2019-06-01T00:00:00Z', recordedBy: 'unit', correlationId: 'c', causationId: 'c' },
      })),
    );
    sealed.forEach((event, i) => this.push({ ...event, streamName, revision: BigInt(existing.length + i) }));
    return this;
  }

  checkpoint(mutate: (body: ReturnType<LogBuilder['body']>) => void = () => undefined): this {
    const body = this.body();
    mutate(body);
    this.heads.clear();
    const signed = signCheckpoint(body, key);
    const previous = this.events.filter((e) => e.streamName === CHECKPOINT_STREAM);
    const [event] = sealEvents(CHECKPOINT_STREAM, BigInt(previous.length), (previous[previous.length - 1]?.metadata.hash as string) ?? null, [
      { eventId: `cp-${this.checkpoints++}`, type: CHECKPOINT_SIGNED_TYPE, data: signed, metadata: { recordedAt: body.timestamp } },
    ]);
    this.push({ ...event, streamName: CHECKPOINT_STREAM, revision: BigInt(previous.length) });
    return this;
  }

  private body() {
    const leaves = this.events.filter((e) => e.streamName !== CHECKPOINT_STREAM);
    return {
      origin: 'unit',
      treeSize: this.tree.size,
      rootHash: this.tree.root().toString('hex'),
      lastPosition: (leaves[leaves.length - 1]?.position ?? 0n).toString(),
      timestamp: `2019-06-0${this.checkpoints + 1}T00:00:00.000Z`,
      keyId: key.keyId,
      streamHeads: [...this.heads.values()],
    };
  }

  private push(event: Omit<VerifiableEvent, 'position'>): void {
    this.position += 1n;
    const recorded = { ...event, position: this.position } as VerifiableEvent;
    this.events.push(recorded);
    if (event.streamName.startsWith('incident-') || event.streamName.startsWith('party-')) {
      this.tree.append(eventLeafHash(String(event.metadata.hash)));
      this.heads.set(event.streamName, { stream: event.streamName, revision: event.revision.toString(), hash: String(event.metadata.hash) });
    }
  }
}

const verify = (events: VerifiableEvent[]) => {
  const verification = new LedgerVerification(keys);
  events.forEach((event) => verification.add(event));
  return verification.finish();
};

describe('LedgerVerification', () => {
  it('passes an empty log, and a clean log with several checkpoints and unnotarised events after the last', () => {
    expect(verify([])).toMatchObject({ ok: true, events: 0, leaves: 0, checkpoints: 0, unnotarizedLeaves: 0 });
    const log = new LogBuilder().append('party-a', 2).append('incident-x', 3).checkpoint().append('incident-x', 2).append('incident-y').checkpoint().append('incident-y');

    const report = verify(log.events);

    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, leaves: 9, checkpoints: 2, unnotarizedLeaves: 1, streams: 4 });
    expect(report.latestCheckpoint?.treeSize).toBe(8);
  });

  it('checks each checkpoint as the walk reads it, holding none of them until the end', () => {
    const log = new LogBuilder().append('incident-x', 3).checkpoint().append('incident-y', 2).checkpoint((body) => {
      body.rootHash = 'ab'.repeat(32);
    });
    const verification = new LedgerVerification(keys);
    const waiting = () => (verification as unknown as { waiting: unknown[] }).waiting.length;
    const findings = () => (verification as unknown as { findings: Array<{ kind: string }> }).findings.map((f) => f.kind);
    for (const event of log.events) {
      verification.add(event);
      expect(waiting()).toBe(0);
    }
    // Found while walking, before finish(): the second checkpoint's root.
    expect(findings()).toEqual(['root-mismatch']);
    expect(verification.finish()).toMatchObject({ ok: false, checkpoints: 2, latestCheckpoint: { treeSize: 3 } });
  });

  it('checks a checkpoint read before the events it covers at the end, as if the whole log had been read first', () => {
    const log = new LogBuilder().append('incident-x', 3).checkpoint().append('incident-y', 2).checkpoint();
    // The first checkpoint moved to the front of the log (positions kept in order): its tree is not read yet when it is.
    const first = log.events.findIndex((e) => e.streamName === CHECKPOINT_STREAM);
    const moved = [log.events[first], ...log.events.filter((_, i) => i !== first)].map((e, i) => ({ ...e, position: BigInt(i + 1) }));
    const report = verify(moved);
    // Checked on arrival it would have signed more leaves than read ('log-truncated'); at the end the tree holds them.
    expect(report.findings.map((f) => f.kind)).not.toContain('log-truncated');
    expect(report).toMatchObject({ checkpoints: 2, latestCheckpoint: { treeSize: 5 } });
  });

  it('narrows a cross-stream reordering, which no chain shows, to the checkpoint interval that no longer matches', () => {
    const log = new LogBuilder().append('incident-x', 2).checkpoint().append('incident-y').append('incident-z').checkpoint();
    const [y, z] = [log.events.findIndex((e) => e.streamName === 'incident-y'), log.events.findIndex((e) => e.streamName === 'incident-z')];
    const swapped = [...log.events];
    [swapped[y], swapped[z]] = [{ ...log.events[z], position: log.events[y].position }, { ...log.events[y], position: log.events[z].position }];

    const report = verify(swapped);

    expect(report.findings.map((f) => f.kind)).toEqual(['root-mismatch']);
    expect(report.firstFailure?.message).toContain('between checkpoint tree sizes 2 and 4');
    expect(report.firstFailure?.checkpoint).toEqual({ revision: '1', treeSize: 4 });
  });

  it('reports a checkpoint that goes back in tree size, and one whose stream head is not what the stream holds', () => {
    const regression = new LogBuilder().append('incident-x', 3).checkpoint().checkpoint((body) => {
      body.treeSize = 2;
    });
    const kinds = verify(regression.events).findings.map((f) => f.kind);
    expect(kinds).toContain('checkpoint-regression');

    const wrongHead = new LogBuilder().append('incident-x', 2).checkpoint((body) => {
      body.streamHeads = [{ stream: 'incident-x', revision: '1', hash: 'ab'.repeat(32) }];
    });
    const [finding] = verify(wrongHead.events).findings;
    expect(finding).toMatchObject({ kind: 'stream-head-mismatch' });
    expect(finding.message).toContain('incident-x@1');
  });

  it('names an event without a hash, and one that links to the wrong predecessor', () => {
    const log = new LogBuilder().append('incident-x', 3);
    const [first, second, third] = log.events;
    const unhashed = { ...second, metadata: { recordedBy: 'intruder' } };
    expect(verify([first, unhashed, third]).findings.map((f) => [f.kind, f.revision])).toEqual([['missing-hash', '1']]);

    const relinked = sealEvents('incident-x', 2n, 'cd'.repeat(32), [{ ...third, metadata: { ...third.metadata } }])[0];
    const report = verify([first, second, { ...third, ...relinked, revision: 2n, position: third.position }]);
    expect(report.findings.map((f) => [f.kind, f.revision])).toEqual([['chain-break', '2']]);
  });

  it('rejects checkpoints signed by an unknown key or damaged, and does not trust them as a reference', () => {
    const log = new LogBuilder().append('incident-x').checkpoint();
    const other = new LedgerVerification(new Map([[generateNotaryKey().keyId, generateNotaryKey().publicKey]]));
    log.events.forEach((event) => other.add(event));
    expect(other.finish().findings.map((f) => f.kind)).toEqual(['unknown-signing-key']);

    const cp = log.events[log.events.length - 1];
    const malformed = { ...cp, data: { nonsense: true } };
    const kinds = verify([...log.events.slice(0, -1), malformed]).findings.map((f) => f.kind).sort();
    expect(kinds).toEqual(['hash-mismatch', 'malformed-checkpoint']);
  });

  it('walks events whose revision or position a damaged log made negative: findings, never a throw', () => {
    const log = new LogBuilder().append('incident-x', 3).checkpoint();
    const damaged = log.events.map((event, i) => (i === 1 ? { ...event, revision: -3n } : i === 2 ? { ...event, position: -7n } : event));
    const report = verify(damaged);
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['revision-out-of-order', 'hash-mismatch', 'position-mismatch']));
    expect(report.leaves).toBe(3);
  });

  it('verifies a log larger than what its scratch space keeps in memory, on a file, and still finds an old head altered', () => {
    // 36,000 ledger events over 120 streams, a checkpoint every 6,000: leaves, positions and seen hashes spill to the
    // file, and each checkpoint's heads are looked up there, not among the streams' latest events.
    const log = new LogBuilder();
    for (let round = 0; round < 6; round++) {
      for (let stream = 0; stream < 120; stream++) log.append(`incident-${stream}`, 50);
      log.checkpoint();
    }
    const directory = mkdtempSync(join(tmpdir(), 'verify-'));
    const run = (events: VerifiableEvent[]) => {
      const scratch = new FileScratch(directory);
      try {
        const verification = new LedgerVerification(keys, scratch);
        events.forEach((event) => verification.add(event));
        return verification.finish();
      } finally {
        scratch.close();
      }
    };
    try {
      const report = run(log.events);
      expect(report.findings).toEqual([]);
      expect(report).toMatchObject({ ok: true, leaves: 36_000, checkpoints: 6, unnotarizedLeaves: 0 });

      // The first checkpoint's head of incident-17 names revision 49, long before the stream's latest: its hash replaced.
      const at = log.events.findIndex((e) => e.streamName === 'incident-17' && e.revision === 49n);
      const altered = [...log.events];
      altered[at] = { ...altered[at], metadata: { ...altered[at].metadata, hash: 'ab'.repeat(32) } };
      const findings = run(altered).findings;
      expect(findings.filter((f) => f.kind !== 'root-mismatch').map((f) => [f.kind, f.streamName, f.revision ?? '', f.checkpoint?.revision])).toEqual([
        ['hash-mismatch', 'incident-17', '49', undefined],
        ['stream-head-mismatch', CHECKPOINT_STREAM, '0', '0'],
        ['chain-break', 'incident-17', '50', undefined],
      ]);
      expect(findings.filter((f) => f.kind === 'root-mismatch')).toHaveLength(6);
    } finally {
      rmSync(directory, { recursive: true });
    }
  });
});
