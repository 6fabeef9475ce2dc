import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { isLedgerStreamName, PartyRegisteredData } from '@ledger/domain';
import { EventStore, RecordedEvent } from '@ledger/event-store';
import {
  CHECKPOINT_STREAM,
  exportedEvent,
  isSignedCheckpoint,
  JwkSet,
  leafHash,
  FileScratch,
  MerkleLog,
  PositionColumn,
  SignedCheckpoint,
  storedHashOf,
  verifyCheckpointSignature,
} from '@ledger/integrity';
import { LedgerEnvelope, SqliteReadModelStore, WRITER_STORE_OPTIONS } from '@ledger/read-models';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions } from '../ledger-files';
import { envelopeOf, scanWholeLog, storeFailure } from '../ledger-reads';
import { findTrustedKeys, LedgerSource, resolveLedgerSource, TrustedKeys } from '../ledger-source';
import { progressEnabled, startProgressBar } from '../progress-bar';
import { csvChunks, CsvTable, readModelTables } from '../read-model-csv';
import { labelled, toJson } from '../text-format';

export interface ExportOptions extends GlobalOptions {
  keys?: string;
  allowUnsigned?: boolean;
  json?: boolean;
  progress?: boolean;
}

export const EVENTS_JSONL = 'events.jsonl';
export const CHECKPOINT_JSON = 'checkpoint.json';
export const READ_MODELS_DIR = 'read-models';

/** One line of events.jsonl: the stored event as the store returns it, 64-bit numbers as decimal strings. */
/** checkpoint.json: what the standalone verifier (tools/ledger-verifier) checks the events against. */
export interface CheckpointFile {
  /** The last checkpoint of the exported log; null only with --allow-unsigned when there is none. */
  latest: SignedCheckpoint | null;
  keys: JwkSet;
  /** One proof per earlier checkpoint that the tree it signed is a prefix of the latest one. */
  consistency: Array<{ first: SignedCheckpoint; proof: string[] }>;
}

export interface ExportSummary {
  outDir: string;
  readFrom: string;
  keysFrom: string | null;
  events: number;
  streams: number;
  leaves: number;
  checkpoints: number;
  latestCheckpoint: { treeSize: number; lastPosition: string; timestamp: string; keyId: string } | null;
  consistencyProofs: number;
  unnotarizedLeaves: number;
  files: Array<{ file: string; rows?: number; bytes: number }>;
  /** Why the export would not verify, or could not hold the read models; the command then exits with a failure. */
  problems: string[];
  elapsedMs: number;
}

/** writeSync may write less than asked; loops until all of it is on disk. Returns the bytes written. */
const writeAll = (fd: number, text: string): number => {
  const buffer = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset, buffer.length - offset);
  return buffer.length;
};

/** A directory that does not exist yet or is empty: an export never mixes with or overwrites other files. */
const checkOutDir = (outDir: string): void => {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new CliError(`${outDir} exists and is not a directory.`, EXIT.usage);
  const entries = readdirSync(outDir);
  if (entries.length > 0) {
    throw new CliError(`${outDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): export writes only into a new or empty directory.`, EXIT.usage);
  }
};

const latestCheckpointEvent = async (source: LedgerSource, store: ReturnType<LedgerSource['open']>): Promise<RecordedEvent | undefined> => {
  try {
    const [last] = await store.readStream(CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
    return last;
  } catch (error) {
    throw storeFailure(`Reading ${CHECKPOINT_STREAM} from ${source.description}`, error);
  }
};

/**
 * The proofs and self-checks of checkpoint.json. The export is checked here
 * with the same rules the standalone verifier applies, so that an export
 * that would not verify is reported now rather than discovered by the auditor.
 */
const checkpointFile = (
  checkpoints: Array<{ revision: bigint; data: unknown }>,
  tree: MerkleLog,
  leafPositions: PositionColumn,
  keys: TrustedKeys | undefined,
  problems: string[],
): CheckpointFile => {
  const jwks = keys?.jwks ?? { keys: [] };
  const last = checkpoints[checkpoints.length - 1];
  if (!last) return { latest: null, keys: jwks, consistency: [] };
  if (!isSignedCheckpoint(last.data)) {
    problems.push(`the latest checkpoint (revision ${last.revision} of ${CHECKPOINT_STREAM}) is not a well-formed signed checkpoint`);
    return { latest: last.data as SignedCheckpoint, keys: jwks, consistency: [] };
  }
  const latest = last.data;
  const key = keys?.byKeyId.get(latest.keyId);
  if (!key) problems.push(`the latest checkpoint is signed by key ${latest.keyId}, which is not among the keys exported (${keys?.origin ?? 'none'})`);
  else if (!verifyCheckpointSignature(latest, key)) problems.push('the latest checkpoint\'s signature does not verify');
  if (latest.treeSize > tree.size) {
    problems.push(`the latest checkpoint signs ${latest.treeSize} ledger events but the log holds only ${tree.size}: events were removed`);
    return { latest, keys: jwks, consistency: [] };
  }
  if (tree.root(latest.treeSize).toString('hex') !== latest.rootHash) {
    problems.push(`the first ${latest.treeSize} ledger events no longer hash to the latest checkpoint's root: the log was changed (run verify)`);
  }
  const lastPosition = latest.treeSize === 0 ? '0' : leafPositions.at(latest.treeSize - 1).toString();
  if (lastPosition !== latest.lastPosition) problems.push(`the latest checkpoint ends at position ${latest.lastPosition}, its last ledger event is at ${lastPosition}`);
  const consistency: CheckpointFile['consistency'] = [];
  for (const earlier of checkpoints.slice(0, -1)) {
    if (!isSignedCheckpoint(earlier.data)) {
      problems.push(`checkpoint revision ${earlier.revision} is not a well-formed signed checkpoint; left out of the consistency proofs`);
      continue;
    }
    if (earlier.data.treeSize > latest.treeSize) {
      problems.push(`checkpoint revision ${earlier.revision} signs more events (${earlier.data.treeSize}) than the latest (${latest.treeSize}); left out`);
      continue;
    }
    consistency.push({ first: earlier.data, proof: tree.consistencyProof(earlier.data.treeSize, latest.treeSize).map((h) => h.toString('hex')) });
  }
  return { latest, keys: jwks, consistency };
};

/** What one pass over the whole log gathers while it writes events.jsonl and folds the read models. */
interface ExportedLog {
  scanned: { events: number; head: bigint };
  bytes: number;
  streams: Set<string>;
  tree: MerkleLog;
  leafPositions: PositionColumn;
  checkpoints: Array<{ revision: bigint; data: unknown }>;
  parties: Map<string, PartyRegisteredData>;
  /** Set when an event could not be folded: the CSVs are then left out, the events file is still whole. */
  readModelProblem?: string;
}

const writeEventsFile = async (
  store: EventStore,
  eventsFile: string,
  readModels: SqliteReadModelStore,
  scratch: FileScratch,
  out: CliOutput,
  progress: boolean,
): Promise<ExportedLog> => {
  const fd = openSync(eventsFile, 'wx');
  const log: Omit<ExportedLog, 'scanned'> = {
    bytes: 0,
    streams: new Set(),
    tree: new MerkleLog([], scratch),
    leafPositions: new PositionColumn(scratch),
    checkpoints: [],
    parties: new Map(),
  };
  const fold = (envelopes: () => LedgerEnvelope[]): void => {
    if (log.readModelProblem !== undefined) return;
    try {
      readModels.apply(envelopes());
    } catch (error) {
      log.readModelProblem = `read models not exported: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  try {
    const scanned = await scanWholeLog(store, out, progress, (page) => {
      // Plain JSON.stringify: exportedEvent has no bigint left, and a replacer would be called for every key of the log.
      log.bytes += writeAll(fd, page.map((e) => `${JSON.stringify(exportedEvent(e))}\n`).join(''));
      const ledgerEvents: RecordedEvent[] = [];
      for (const e of page) {
        log.streams.add(e.streamName);
        if (e.streamName === CHECKPOINT_STREAM) log.checkpoints.push({ revision: e.revision, data: e.data });
        if (!isLedgerStreamName(e.streamName)) continue;
        // As the verifiers do: an event without a well-formed hash still takes its place in the tree, so roots fail there.
        log.tree.append(leafHash(Buffer.from(storedHashOf(e.metadata) ?? '', 'hex')));
        log.leafPositions.push(e.position);
        ledgerEvents.push(e);
      }
      fold(() =>
        ledgerEvents.map((e) => {
          const envelope = envelopeOf(e);
          if (envelope.event.type === 'PartyRegistered') log.parties.set(envelope.event.data.partyId, envelope.event.data);
          return envelope;
        }),
      );
    });
    return { ...log, scanned };
  } finally {
    closeSync(fd);
  }
};

const writeReadModelCsvs = (outDir: string, tables: CsvTable[], out: CliOutput, progress: boolean): ExportSummary['files'] => {
  const files: ExportSummary['files'] = [];
  mkdirSync(join(outDir, READ_MODELS_DIR));
  const bar = startProgressBar(out, progress, 'writing CSV', tables.reduce((n, t) => n + t.count, 0), 'rows');
  try {
    for (const table of tables) {
      const csv = openSync(join(outDir, READ_MODELS_DIR, table.file), 'wx');
      let written = 0;
      try {
        for (const chunk of csvChunks(table)) {
          written += writeAll(csv, chunk.text);
          bar.increment(chunk.rows);
        }
      } finally {
        closeSync(csv);
      }
      files.push({ file: `${READ_MODELS_DIR}/${table.file}`, rows: table.count, bytes: written });
    }
  } finally {
    bar.stop();
  }
  return files;
};

export const runExport = async (outDirArg: string, options: ExportOptions, out: CliOutput, env: NodeJS.ProcessEnv): Promise<ExportSummary> => {
  const started = Date.now();
  const source = resolveLedgerSource(options, env);
  const outDir = resolve(outDirArg);
  checkOutDir(outDir);
  // Parsed before anything is written: a bad key file is a usage error, not a half-written export.
  let keys = options.keys !== undefined ? findTrustedKeys(source, options.keys) : undefined;
  const progress = progressEnabled(out, options.progress);
  const store = source.open();
  const problems: string[] = [];
  const files: ExportSummary['files'] = [];
  // The read models are folded into a scratch file rather than memory: a large ledger's tables outgrow the heap.
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-export-'));
  const readModels = new SqliteReadModelStore({ filename: join(scratch, 'read-models.sqlite'), ...WRITER_STORE_OPTIONS });
  // So are the Merkle tree and the leaves' positions, which grow with the log.
  const treeScratch = new FileScratch(scratch);
  try {
    const lastCheckpoint = await latestCheckpointEvent(source, store);
    if (!lastCheckpoint && !options.allowUnsigned) {
      throw new CliError(
        `No signed checkpoint in the log yet (${CHECKPOINT_STREAM} is empty): an export without one cannot be verified. ` +
          'Have the notary sign one (POST /integrity/checkpoints, or wait for the periodic one), or pass --allow-unsigned.',
        EXIT.failed,
      );
    }
    keys ??= findTrustedKeys(source, undefined);
    if (lastCheckpoint && !keys) {
      throw new CliError(
        "No public key to put beside the checkpoint: pass --keys <jwks.json> (the ledger's /.well-known/ledger-keys.json), " +
          'or run against a data directory holding the notary key notary-ed25519.pem.',
        EXIT.usage,
      );
    }

    mkdirSync(outDir, { recursive: true });
    const log = await writeEventsFile(store, join(outDir, EVENTS_JSONL), readModels, treeScratch, out, progress);
    const { scanned, streams, tree, leafPositions, checkpoints } = log;
    files.push({ file: EVENTS_JSONL, rows: scanned.events, bytes: log.bytes });

    if (checkpoints.length === 0 && !options.allowUnsigned) {
      throw new CliError(`No signed checkpoint in the exported log: ${outDir} cannot be verified. Pass --allow-unsigned to export anyway.`, EXIT.failed);
    }
    const checkpoint = checkpointFile(checkpoints, tree, leafPositions, keys, problems);
    const checkpointText = `${JSON.stringify(checkpoint, null, 2)}\n`;
    writeFileSync(join(outDir, CHECKPOINT_JSON), checkpointText, { flag: 'wx' });
    files.push({ file: CHECKPOINT_JSON, bytes: Buffer.byteLength(checkpointText) });

    if (log.readModelProblem !== undefined) problems.push(log.readModelProblem);
    else files.push(...writeReadModelCsvs(outDir, readModelTables(readModels, log.parties), out, progress));

    const latest = checkpoint.latest && isSignedCheckpoint(checkpoint.latest) ? checkpoint.latest : null;
    return {
      outDir,
      readFrom: source.description,
      keysFrom: keys?.origin ?? null,
      events: scanned.events,
      streams: streams.size,
      leaves: tree.size,
      checkpoints: checkpoints.length,
      latestCheckpoint: latest && { treeSize: latest.treeSize, lastPosition: latest.lastPosition, timestamp: latest.timestamp, keyId: latest.keyId },
      consistencyProofs: checkpoint.consistency.length,
      unnotarizedLeaves: Math.max(0, tree.size - (latest?.treeSize ?? 0)),
      files,
      problems,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    throw storeFailure('Export', error);
  } finally {
    readModels.close();
    treeScratch.close();
    rmSync(scratch, { recursive: true, force: true });
    await store.close();
  }
};

export const formatExport = (s: ExportSummary): string => {
  const latest = s.latestCheckpoint;
  const lines = [
    `${s.problems.length ? 'Exported WITH PROBLEMS' : 'Exported'} ${s.events} events (${s.streams} streams, ${s.leaves} ledger events under the Merkle tree) to ${s.outDir} in ${s.elapsedMs} ms`,
    ...labelled(
      [
        ['log', s.readFrom],
        ['keys', s.keysFrom ?? 'none'],
        [
          'checkpoint',
          latest
            ? `latest signs ${latest.treeSize} ledger events up to position ${latest.lastPosition} (${latest.timestamp}); ${s.consistencyProofs} consistency proof(s) from earlier checkpoints`
            : 'none: the export is unsigned',
        ],
        ['unnotarized', `${s.unnotarizedLeaves} ledger event(s) after the latest checkpoint`],
        ['files', s.files.map((f) => `${f.file}${f.rows !== undefined ? `  ${f.rows} ${f.file.endsWith('.jsonl') ? 'events' : 'rows'}` : ''}  ${f.bytes} bytes`)],
      ],
      '  ',
      13,
    ),
  ];
  if (s.problems.length) lines.push('Problems:', ...s.problems.map((p) => `  - ${p}`));
  if (latest) lines.push(`Check it offline: node tools/ledger-verifier/ledger-verifier.js export ${s.outDir} --keys <jwks.json>`);
  return lines.join('\n');
};

export const exportCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  new Command('export')
    .description('Write the whole log (events.jsonl), the latest signed checkpoint with consistency proofs and keys (checkpoint.json), and the read models as CSV')
    .argument('<outDir>', 'a new or empty directory to write into')
    .option('--keys <jwks.json>', "the notary's public keys to include (a JWK Set as served at /.well-known/ledger-keys.json); default: the data directory's notary key")
    .option('--allow-unsigned', 'export even when no checkpoint has been signed yet (checkpoint.json then has latest: null)')
    .option('--json', 'print the summary as one JSON object')
    .option('--progress', 'draw progress bars on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress bars')
    .addHelpText(
      'after',
      `
Writes:
  events.jsonl        every event in global order, one JSON object per line:
                      { position, eventId, streamName, revision, type, data, metadata }
                      (metadata carries prevHash and hash: each stream is a hash chain)
  checkpoint.json     { latest, keys, consistency: [{ first, proof }] }: the latest signed
                      Merkle tree head, the notary's public keys, and a proof from each
                      earlier checkpoint that the log only grew since
  read-models/*.csv   incidents, party-versions, disagreements, claim-versions,
                      amendments, parties; folded from the exported events by the
                      read models' own code (not read from read-models.sqlite)

The directory is accepted by the standalone verifier:
  node tools/ledger-verifier/ledger-verifier.js export <outDir> --keys <jwks.json>

Exit code ${EXIT.failed} when there is no checkpoint yet (unless --allow-unsigned), or when
the export was written but would not verify (the problems are listed); ${EXIT.usage}
when <outDir> is not empty or no key is available. Reads only; safe while the API runs.`,
    )
    .action(async (outDir: string, _options: ExportOptions, command: Command) => {
      const options = command.optsWithGlobals<ExportOptions>();
      const summary = await runExport(outDir, options, out, env);
      out.result(options.json ? toJson(summary, 2) : formatExport(summary));
      if (summary.problems.length) {
        throw new CliError(`the export in ${summary.outDir} has ${summary.problems.length} problem(s); first: ${summary.problems[0]}`, EXIT.failed);
      }
    });
