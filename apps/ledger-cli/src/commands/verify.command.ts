import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { Finding, VerificationReport, verifyEventStore } from '@ledger/integrity';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions } from '../ledger-files';
import { storeFailure } from '../ledger-reads';
import { requireTrustedKeys, resolveLedgerSource } from '../ledger-source';
import { positionScale, progressEnabled, startProgressBar } from '../progress-bar';
import { labelled, toJson } from '../text-format';

export interface VerifyOptions extends GlobalOptions {
  keys?: string;
  json?: boolean;
  progress?: boolean;
}

export interface VerifyOutcome {
  report: VerificationReport;
  readFrom: string;
  keysFrom: string;
  keyIds: string[];
}

export const runVerify = async (options: VerifyOptions, out: CliOutput, env: NodeJS.ProcessEnv): Promise<VerifyOutcome> => {
  const source = resolveLedgerSource(options, env);
  const keys = requireTrustedKeys(source, options.keys);
  const store = source.open();
  const progress = progressEnabled(out, options.progress);
  let bar: ReturnType<typeof startProgressBar> | undefined;
  try {
    const report = await verifyEventStore(store, {
      publicKeys: keys.byKeyId,
      // Not the data directory: an auditor may verify a copy mounted read-only.
      scratchDirectory: tmpdir(),
      onProgress: ({ position, head }) => {
        const scale = positionScale(head);
        bar ??= startProgressBar(out, progress, 'verifying', scale(head), 'positions');
        bar.update(Math.min(scale(position), scale(head)));
      },
    });
    return { report, readFrom: source.description, keysFrom: keys.origin, keyIds: [...keys.byKeyId.keys()] };
  } catch (error) {
    throw storeFailure('Verification', error);
  } finally {
    bar?.stop();
    await store.close();
  }
};

const findingLine = (f: Finding): string => {
  const where = f.eventId ? ` [event ${f.eventId}]` : f.checkpoint ? ` [checkpoint revision ${f.checkpoint.revision}]` : '';
  return `${f.kind}: ${f.message}${where}`;
};

export const formatVerify = (o: VerifyOutcome): string => {
  const r = o.report;
  const latest = r.latestCheckpoint;
  const lines = [
    r.ok ? 'Ledger verified: every chain, hash and checkpoint checks out.' : `Ledger verification FAILED: ${r.findings.length} finding(s).`,
    '',
    ...labelled(
      [
        ['log', o.readFrom],
        ['keys', `${o.keysFrom} (${o.keyIds.map((id) => id.slice(0, 16)).join(', ')})`],
        ['events', String(r.events)],
        ['streams', String(r.streams)],
        ['leaves', `${r.leaves} (events of incident- and party- streams, under the Merkle tree)`],
        ['checkpoints', String(r.checkpoints)],
        [
          'latest',
          latest
            ? [`tree size ${latest.treeSize}, up to position ${latest.lastPosition}, signed ${latest.timestamp}`, `root ${latest.rootHash}`, `key ${latest.keyId}`]
            : 'none trusted (no checkpoint, or none that verifies)',
        ],
        ['unnotarized', `${r.unnotarizedLeaves} ledger event(s) after the latest checkpoint (chained, but not yet under a signature)`],
      ],
      '  ',
      13,
    ),
  ];
  if (r.firstFailure) lines.push('', 'First failure (earliest in log order):', `  ${findingLine(r.firstFailure)}`);
  if (r.findings.length) {
    lines.push('', `Findings (${r.findings.length}):`);
    r.findings.forEach((f, i) => lines.push(`  ${i + 1}. ${findingLine(f)}`));
  }
  return lines.join('\n');
};

export const verifyCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  new Command('verify')
    .description('Check every stream chain, every event hash and every signed checkpoint of the log; name the first event that fails')
    .option('--keys <jwks.json>', "the notary's public keys (a JWK Set as served at /.well-known/ledger-keys.json); default: the data directory's notary key")
    .option('--json', 'print the verification report as one JSON object')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw a progress bar')
    .addHelpText(
      'after',
      `
Exit code ${EXIT.ok} when everything verifies, ${EXIT.failed} when anything does not (the report is
printed either way), ${EXIT.usage} when there is no key to check signatures with: give
--keys, or run against a data directory that holds notary-ed25519.pem (or with
LEDGER_NOTARY_KEY_FILE / LEDGER_NOTARY_PRIVATE_KEY set as for the API). The
CLI never creates a key.

Keys obtained independently of the ledger (--keys) are what makes a signature
mean something to an outside auditor. Reads only; safe while the API runs.`,
    )
    .action(async (_options: VerifyOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyOptions>();
      const outcome = await runVerify(options, out, env);
      out.result(options.json ? toJson(outcome.report, 2) : formatVerify(outcome));
      const first = outcome.report.firstFailure;
      if (!outcome.report.ok) {
        throw new CliError(`verification failed with ${outcome.report.findings.length} finding(s)${first ? `; first: ${first.message}` : ''}`, EXIT.failed);
      }
    });
