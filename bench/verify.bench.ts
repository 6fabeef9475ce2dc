import { isLedgerStreamName } from '@ledger/domain';
/**
 * verify: verifyEventStore (every event's canonical hash recomputed, every chain link and revision checked, the
 * Merkle tree rebuilt, every checkpoint's signature, root, position and stream heads checked) against paging through
 * the same log with readAll, what any full verification has to pay at least; at two sizes (2,000 and 10,000 events
 * small; 10,000 and 100,000 full), a checkpoint signed every 10,000 ledger events as the notary would, and at the end.
 * Best of three of each, in this process, its scratch file in the log's directory as the API's is in the data
 * directory. Then `ledger-cli verify` of the same log, its peak RSS as it exits (report-peak-rss.js preloaded).
 * Figures: verify CPU time over readAll CPU time; µs per event at the large size over the small (near 1 when
 * verification is linear in the log); the CLI's peak RSS at the large size over the small (near 1 when what a
 * verification holds does not grow with the log). Checks: verify passes the clean log, in process and in the CLI.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import {
  CHECKPOINT_SIGNED_TYPE,
  CHECKPOINT_STREAM,
  eventLeafHash,
  jwksOf,
  keyIdOf,
  MerkleLog,
  NotaryKey,
  signCheckpoint,
  StreamHead,
  verifyEventStore,
} from '@ledger/integrity';
import { ensureBuilt, runBuiltCli } from '../tests/support/spawned-ledger';
import { runBenchmark } from './support/bench-child';
import { readAllOnce, writeGeneratedLog } from './support/log-writer';
import { PEAK_RSS_NODE_OPTIONS, Timing, best, reportedPeakRss, timed } from './support/measure';

const CHECKPOINT_EVERY = 10_000;
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
      if (!isLedgerStreamName(event.streamName)) continue;
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

runBenchmark('verify', async (ctx) => {
  const sizes = ctx.pick('log sizes (events)', [2_000, 10_000], [10_000, 100_000]);
  ctx.pick('ledger events per checkpoint', CHECKPOINT_EVERY, CHECKPOINT_EVERY);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key: NotaryKey = { privateKey, publicKey, keyId: keyIdOf(publicKey) };
  await ensureBuilt('ledger-cli');
  const results: Array<{ size: number; readAll: Timing; verify: Timing; cliPeakRssBytes?: number }> = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-verify-'));
    try {
      await writeGeneratedLog(join(dir, 'events.sqlite'), size);
      const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
      try {
        const checkpoints = await notarise(store, key);
        const reads: Timing[] = [];
        const verifies: Timing[] = [];
        let failure: string | undefined;
        for (let round = 0; round < 3; round++) {
          reads.push(await timed(async () => void (await readAllOnce(store, PAGE_SIZE))));
          verifies.push(
            await timed(async () => {
              const report = await verifyEventStore(store, { publicKeys: new Map([[key.keyId, publicKey]]), pageSize: PAGE_SIZE, scratchDirectory: dir });
              if (!report.ok || report.leaves !== size || report.checkpoints !== checkpoints) failure ??= JSON.stringify(report.firstFailure ?? { leaves: report.leaves, checkpoints: report.checkpoints });
            }),
          );
        }
        // A verifier that finds nothing wrong only means something if the log is whole.
        ctx.check(`${size} events: verify passes the clean log`, failure === undefined, failure ?? `${size} leaves, ${checkpoints} checkpoints`);
        const keysFile = join(dir, 'keys.json');
        writeFileSync(keysFile, JSON.stringify(jwksOf([publicKey])));
        const cli = await runBuiltCli(['verify', '--data-dir', dir, '--keys', keysFile, '--json'], {
          timeoutMs: 600_000,
          env: { LOG_LEVEL: 'warn', NODE_OPTIONS: PEAK_RSS_NODE_OPTIONS },
        });
        const cliReport = (() => {
          try {
            return JSON.parse(cli.stdout) as { ok?: boolean; leaves?: number };
          } catch {
            return undefined;
          }
        })();
        ctx.check(
          `${size} events: ledger-cli verify passes the clean log`,
          cli.code === 0 && cliReport?.ok === true && cliReport.leaves === size,
          `exit ${cli.code}: ${(cli.stdout + cli.stderr).slice(-300)}`,
        );
        results.push({ size, readAll: best(reads), verify: best(verifies), cliPeakRssBytes: reportedPeakRss(cli.stderr) });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [small, large] = results;
  const cpuUs = (r: { size: number; verify: Timing }) => (r.verify.cpuMs * 1000) / r.size;
  ctx.figure({
    figure: `verify of ${large.size.toLocaleString('en-US')} events, CPU`,
    value: large.verify.cpuMs / 1000,
    unit: 's',
    baseline: { label: 'readAll CPU', value: large.readAll.cpuMs / 1000, unit: 's' },
  });
  ctx.figure({ figure: `verify CPU per event at ${large.size.toLocaleString('en-US')}`, value: cpuUs(large), unit: 'µs', baseline: { label: `at ${small.size.toLocaleString('en-US')}`, value: cpuUs(small), unit: 'µs' } });
  if (small.cliPeakRssBytes !== undefined && large.cliPeakRssBytes !== undefined) {
    ctx.figure({
      figure: `ledger-cli verify of ${large.size.toLocaleString('en-US')} events, peak RSS`,
      value: large.cliPeakRssBytes / 1e6,
      unit: 'MB',
      baseline: { label: `at ${small.size.toLocaleString('en-US')}`, value: small.cliPeakRssBytes / 1e6, unit: 'MB' },
    });
  }
  ctx.note(`wall ${(large.verify.wallMs / 1000).toFixed(2)} s for ${large.size} events (${((large.size / large.verify.wallMs) * 1000).toFixed(0)} events/s)`);
});
