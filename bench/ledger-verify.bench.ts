/**
 * How long `verify` takes over a large log, against the machine's limit measured in the same run.
 *
 *   BENCH_DIR=/dev/shm npx jest --config bench/jest.bench.config.js bench/ledger-verify.bench.ts
 *
 * Options, from the environment: BENCH_VERIFY_SIZES=10000,100000 (the default); BENCH_CHECKPOINT_EVERY=10000
 * ledger events between signed checkpoints; BENCH_SEED, BENCH_DIR as for the rebuild benchmark.
 *
 * For each size N it writes a generated log of N events through a real SqliteEventStore (which hash-chains them),
 * signs a checkpoint every BENCH_CHECKPOINT_EVERY events as the notary would, then measures the best of three:
 *
 *   - readAll: paging through the whole log, what any full verification has to pay at least;
 *   - verify: verifyEventStore, i.e. every event's canonical hash recomputed, every chain link and revision
 *     checked, the Merkle tree rebuilt and every checkpoint's signature, root, position and stream heads checked.
 *
 * It prints seconds, events/s, verify as a multiple of readAll, and µs/event at the largest N over µs/event at the
 * smallest (near 1 when verification is linear in the log).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import {
  CHECKPOINT_SIGNED_TYPE,
  CHECKPOINT_STREAM,
  isLeafStream,
  eventLeafHash,
  keyIdOf,
  MerkleLog,
  NotaryKey,
  signCheckpoint,
  StreamHead,
  verifyEventStore,
} from '@ledger/integrity';
import { best, readAllOnce, Timing, timed, writeLog } from './bench-support';
import { generateLog } from './generate-log';

const SIZES = (process.env.BENCH_VERIFY_SIZES ?? '10000,100000').split(',').map((s) => Number(s.trim()));
const CHECKPOINT_EVERY = Number(process.env.BENCH_CHECKPOINT_EVERY ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const PAGE_SIZE = 1000;

/** Signs checkpoints over the written log the way the notary does: every CHECKPOINT_EVERY leaves, and at the end. */
const notarise = async (store: SqliteEventStore, key: NotaryKey): Promise<number> => {
  const tree = new MerkleLog();
  const heads = new Map<string, StreamHead>();
  let checkpoints = 0;
  let lastPosition = 0n;
  const sign = async () => {
    const checkpoint = signCheckpoint(
      {
        origin: 'bench',
        treeSize: tree.size,
        rootHash: tree.root().toString('hex'),
        lastPosition: lastPosition.toString(),
        timestamp: new Date(Date.UTC(2020, 0, 1) + checkpoints * 60_000).toISOString(),
        keyId: key.keyId,
        streamHeads: [...heads.values()].sort((a, b) => (a.stream < b.stream ? -1 : 1)),
      },
      key,
    );
    heads.clear();
    const meta = { recordedAt: checkpoint.timestamp, recordedBy: 'notary', correlationId: `cp-${checkpoints}`, causationId: `cp-${checkpoints}` };
    await store.append(CHECKPOINT_STREAM, [{ eventId: `20000000-0000-4000-8000-${String(checkpoints).padStart(12, '0')}`, type: CHECKPOINT_SIGNED_TYPE, data: checkpoint, metadata: meta }]);
    checkpoints += 1;
  };
  let position = 0n;
  for (;;) {
    const page = await store.readAll({ fromPosition: position, maxCount: PAGE_SIZE });
    if (page.length === 0) break;
    for (const event of page) {
      position = event.position;
      if (!isLeafStream(event.streamName)) continue;
      const hash = String(event.metadata.hash);
      tree.append(eventLeafHash(hash));
      heads.set(event.streamName, { stream: event.streamName, revision: event.revision.toString(), hash });
      lastPosition = event.position;
      if (tree.size % CHECKPOINT_EVERY === 0) await sign();
    }
  }
  if (heads.size > 0) await sign();
  return checkpoints;
};

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Result {
  size: number;
  checkpoints: number;
  readAll: Timing;
  verify: Timing;
}

describe('ledger verify', () => {
  it('verifies a large log in a small multiple of the time it takes to read it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key: NotaryKey = { privateKey, publicKey, keyId: keyIdOf(publicKey) };
    const results: Result[] = [];
    for (const size of SIZES) {
      const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-verify-bench-'));
      const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
      try {
        const written = await timed(async () => void (await writeLog(store, generateLog(size, SEED))));
        const checkpoints = await notarise(store, key);
        out(`  ${size} events written in ${fmt(written.wallMs / 1000)} s, ${checkpoints} checkpoints signed`);
        const reads: Timing[] = [];
        const verifies: Timing[] = [];
        for (let round = 0; round < 3; round++) {
          reads.push(await timed(async () => void (await readAllOnce(store, PAGE_SIZE))));
          verifies.push(
            await timed(async () => {
              const report = await verifyEventStore(store, { publicKeys: new Map([[key.keyId, publicKey]]), pageSize: PAGE_SIZE });
              // A benchmark of a verifier that finds nothing wrong only means something if the log is whole.
              if (!report.ok || report.leaves !== size || report.checkpoints !== checkpoints) {
                throw new Error(`verify did not pass the clean log: ${JSON.stringify(report.firstFailure ?? report)}`);
              }
            }),
          );
        }
        results.push({ size, checkpoints, readAll: best(reads), verify: best(verifies) });
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }

    out();
    out(`ledger verify, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}, seed ${SEED}, files in ${process.env.BENCH_DIR ?? tmpdir()}`);
    out('events    checkpoints  readAll s  verify s  verify events/s  verify CPU µs/event  verify/readAll (CPU)');
    for (const r of results) {
      out(
        [
          String(r.size).padEnd(9),
          String(r.checkpoints).padEnd(12),
          fmt(r.readAll.wallMs / 1000, 2).padStart(9),
          fmt(r.verify.wallMs / 1000, 2).padStart(9),
          fmt(r.size / (r.verify.wallMs / 1000), 0).padStart(16),
          fmt((r.verify.cpuMs * 1000) / r.size, 1).padStart(20),
          fmt(r.verify.cpuMs / r.readAll.cpuMs, 2).padStart(21),
        ].join(' '),
      );
    }
    const [first, last] = [results[0], results[results.length - 1]];
    const growth = last.verify.cpuMs / last.size / (first.verify.cpuMs / first.size);
    out(`CPU µs/event at ${last.size} over ${first.size}: ${fmt(growth, 2)} (1 = linear)`);
    expect(growth).toBeLessThan(3);
  });
});
