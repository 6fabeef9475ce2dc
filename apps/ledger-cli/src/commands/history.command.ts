import { Command } from 'commander';
import { AsOf, AsOfJson, asOfToJson, ClaimHistoryDoc, claimHistoryAsOf, partyVersionsAsOf, fillPartyNames } from '@ledger/read-models';
import { addAsOfOptions, AsOfOptions, asOfFromOptions, describeAsOf } from '../as-of-options';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions } from '../ledger-files';
import { IncidentLog, readIncidentLog, storeFailure } from '../ledger-reads';
import { resolveLedgerSource } from '../ledger-source';
import { progressEnabled } from '../progress-bar';
import {
  assertionRows,
  fieldChangeText,
  groupRows,
  labelled,
  partyLabel,
  PartyNames,
  pointInTime,
  sourceText,
  statementText,
  toJson,
} from '../text-format';
import { partyNamesOf } from './versions.command';

export interface HistoryOptions extends GlobalOptions, AsOfOptions {
  json?: boolean;
  progress?: boolean;
}

/** The API's answer (GET /audit/incidents/:id/claims/:claimId/history) plus names; asOf null means now. */
export type ClaimHistoryResult = { asOf: AsOfJson | null; incidentTitle: string | null; partyNames: Record<string, string> } & ClaimHistoryDoc;

export const claimHistory = (incidentId: string, claimId: string, log: IncidentLog, asOf: AsOf | undefined): ClaimHistoryResult => {
  const doc = fillPartyNames(claimHistoryAsOf(log.envelopes, incidentId, claimId, asOf), (id) => log.names.get(id)?.name ?? null);
  if (!doc) {
    const everMade = claimHistoryAsOf(log.envelopes, incidentId, claimId) !== undefined;
    throw new CliError(
      everMade
        ? `Claim ${claimId} of incident ${incidentId} was not yet made as of ${describeAsOf(asOf)}`
        : `No claim ${claimId} in incident ${incidentId}`,
      EXIT.failed,
    );
  }
  const title = incidentTitle(log, incidentId, asOf);
  const ids = new Set([doc.partyId, ...doc.denials.map((d) => d.partyId)]);
  return { asOf: asOf ? asOfToJson(asOf) : null, ...doc, incidentTitle: title ?? null, partyNames: partyNamesOf(ids, log.names) };
};

const incidentTitle = (log: IncidentLog, incidentId: string, asOf: AsOf | undefined): string | undefined => {
  const last = log.envelopes[log.envelopes.length - 1]?.position ?? 0n;
  return partyVersionsAsOf(log.envelopes, incidentId, asOf ?? { clock: 'position', position: last })?.incident?.title;
};

export const formatHistory = (h: ClaimHistoryResult, names: PartyNames): string => {
  const lines: string[] = [];
  lines.push(`Claim ${h.claimId} of ${partyLabel(h.partyId, names)}`);
  lines.push(`Incident ${h.incidentId}${h.incidentTitle ? `: ${h.incidentTitle}` : ''}`);
  lines.push(
    `As of ${h.asOf ? describeAsOf(h.asOf) : 'now'}: version ${h.currentVersion} of ${h.versions.length}, ` +
      `${h.amendments.length} ledger amendment(s), ${h.denials.length} denial(s) received${h.retracted ? ', RETRACTED' : ''}` +
      (h.answers.length ? `; answers ${h.answers.join(', ')}` : ''),
  );
  for (const v of h.versions) {
    lines.push('', `Version ${v.version} (${v.kind === 'made' ? 'made' : 'corrected by the party'})`);
    const rows: Array<[string, string | string[]]> = [
      ['stated', pointInTime(v.statedAt)],
      ['recorded', `${v.recordedAt} by ${v.recordedBy}`],
      ['event', `${v.eventId} at log position ${v.position}`],
      ['source', sourceText(v.source)],
    ];
    if (v.reason !== undefined) rows.push(['reason', v.reason]);
    rows.push(['words', statementText(v.statement)]);
    if (v.version === h.versions[0].version) for (const [label, values] of groupRows(assertionRows(v.assertions, names))) rows.push([label, values]);
    else rows.push(['changes', v.changes.length ? v.changes.map(fieldChangeText) : ['(nothing changed)']]);
    if (v.amendedBy.length) rows.push(['amended by', v.amendedBy.join(', ')]);
    lines.push(...labelled(rows, '    ', 12));
  }
  lines.push('', `Ledger amendments (${h.amendments.length}): the ledger fixing its own transcription, not the party changing its claim`);
  for (const a of h.amendments) {
    const target = a.target === 'claim' ? `version ${a.version}` : a.target === 'denial' ? `denial ${a.denialId}` : 'the retraction';
    lines.push(`  ${a.amendmentId} of ${target}`);
    lines.push(
      ...labelled(
        [
          ['reason', a.reason],
          ['recorded', `${a.recordedAt} by ${a.recordedBy}`],
          ['event', `${a.eventId} at log position ${a.position}`],
          ['changes', a.changes.length ? a.changes.map(fieldChangeText) : ['(nothing changed)']],
        ],
        '    ',
        12,
      ),
    );
  }
  lines.push('', `Denials received (${h.denials.length})`);
  for (const d of h.denials) {
    lines.push(`  ${d.denialId} by ${partyLabel(d.partyId, names)} (${d.deniedAssertions.length ? d.deniedAssertions.join(', ') : 'the whole claim'})`);
    lines.push(
      ...labelled(
        [
          ['stated', pointInTime(d.statedAt)],
          ['recorded', `${d.recordedAt} by ${d.recordedBy}`],
          ['source', sourceText(d.source)],
          ['words', statementText(d.statement)],
          ...(d.amendedBy.length ? ([['amended by', d.amendedBy.join(', ')]] as Array<[string, string]>) : []),
        ],
        '    ',
        12,
      ),
    );
  }
  if (h.retraction) {
    const r = h.retraction;
    lines.push('', 'Retraction');
    lines.push(
      ...labelled(
        [
          ['reason', r.reason],
          ['stated', pointInTime(r.statedAt)],
          ['recorded', `${r.recordedAt} by ${r.recordedBy}`],
          ['source', sourceText(r.source)],
          ...(r.statement ? ([['words', statementText(r.statement)]] as Array<[string, string]>) : []),
        ],
        '    ',
        12,
      ),
    );
  }
  return lines.join('\n');
};

export const runHistory = async (
  incidentId: string,
  claimId: string,
  options: HistoryOptions,
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<{ result: ClaimHistoryResult; names: PartyNames }> => {
  const asOf = asOfFromOptions(options);
  const source = resolveLedgerSource(options, env);
  const store = source.open();
  try {
    const log = await readIncidentLog(store, source, incidentId, out, progressEnabled(out, options.progress));
    return { result: claimHistory(incidentId, claimId, log, asOf), names: log.names };
  } catch (error) {
    throw storeFailure('history', error);
  } finally {
    await store.close();
  }
};

export const historyCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  addAsOfOptions(
    new Command('history')
      .description("A claim's full history: every version with its field-level diff, who recorded it, when (stated and recorded), its source; ledger amendments apart")
      .argument('<incidentId>', 'the incident the claim belongs to')
      .argument('<claimId>', 'the claim'),
  )
    .option('--json', 'print the claim-history document (with party names)')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw a progress bar')
    .addHelpText(
      'after',
      `
--as-of/--clock/--position work as for versions. Reads only; safe while the API runs.`,
    )
    .action(async (incidentId: string, claimId: string, _options: HistoryOptions, command: Command) => {
      const options = command.optsWithGlobals<HistoryOptions>();
      const { result, names } = await runHistory(incidentId, claimId, options, out, env);
      out.result(options.json ? toJson(result, 2) : formatHistory(result, names));
    });
