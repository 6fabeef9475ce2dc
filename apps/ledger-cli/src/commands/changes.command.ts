import { Command } from 'commander';
import { AsOf, AsOfError, EntriesPage, IncidentChanges, incidentChanges, parseAsOfValue, parseClock } from '@ledger/read-models';
import { addPageOptions, describeAsOf, PageOptions, pageFromOptions, withPageLine } from '../as-of-options';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions } from '../ledger-files';
import { IncidentLog, readIncidentLog, storeFailure } from '../ledger-reads';
import { resolveLedgerSource } from '../ledger-source';
import { progressEnabled } from '../progress-bar';
import { fieldChangeText, labelled, partyLabel, PartyNames, pointInTime, toJson } from '../text-format';

export interface ChangesOptions extends GlobalOptions, PageOptions {
  from: string;
  to?: string;
  clock?: string;
  json?: boolean;
  progress?: boolean;
}

/** Both bounds on one clock, parsed by the library the HTTP audit API uses; `to` defaults to now (the last event read, on the position clock). */
export const changesBounds = (options: ChangesOptions, log: IncidentLog): { from: AsOf; to: AsOf } => {
  try {
    const clock = parseClock(options.clock, '--clock');
    const from = parseAsOfValue(clock, options.from, '--from');
    if (options.to !== undefined) return { from, to: parseAsOfValue(clock, options.to, '--to') };
    const last = log.envelopes[log.envelopes.length - 1];
    if (clock === 'position') return { from, to: { clock, position: last?.position ?? 0n } };
    // Until now, as the HTTP audit API reads it.
    return { from, to: { clock, at: new Date().toISOString() } };
  } catch (error) {
    if (error instanceof AsOfError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
};

export const formatChanges = (c: IncidentChanges, names: PartyNames): string => {
  const lines = [
    `Incident ${c.incidentId}: changes from ${describeAsOf(c.from)} to ${describeAsOf(c.to)}`,
    `(log positions ${c.fromPosition} .. ${c.toPosition}, ${c.eventIds.length} events in between)`,
  ];
  for (const amendment of c.incident.amendments) {
    lines.push(`  LEDGER AMENDMENT of the incident report (${amendment.reason}): ${amendment.changes.map(fieldChangeText).join('; ')}`);
  }
  if (c.parties.length === 0) lines.push('', 'No party version changed.');
  for (const p of c.parties) {
    lines.push('', `  ${partyLabel(p.partyId, names)}`);
    lines.push(
      ...labelled(
        [
          ['made', p.claimsAdded.map((a) => `claim ${a.claimId}, stated ${pointInTime(a.statedAt)}, recorded ${a.recordedAt} by ${a.recordedBy}`)],
          [
            'corrected',
            p.claimsCorrected.flatMap((k) => [
              `claim ${k.claimId} v${k.fromVersion} → v${k.toVersion}${k.corrections.map((r) => (r.reason ? ` (${r.reason})` : '')).join('')}`,
              ...k.changes.map((change) => `  ${fieldChangeText(change)}`),
            ]),
          ],
          ['retracted', p.claimsRetracted.map((r) => `claim ${r.claimId}: ${r.reason}`)],
          ['denied', p.denialsMade.map((d) => `claim ${d.claimId} of ${partyLabel(d.claimPartyId, names)}`)],
          ['denied by', p.denialsReceived.map((d) => `${partyLabel(d.partyId, names)} (claim ${d.claimId})`)],
          [
            'amended',
            p.entriesAmended.flatMap((a) => [`LEDGER AMENDMENT ${a.amendmentId} (${a.reason})`, ...a.changes.map((change) => `  ${fieldChangeText(change)}`)]),
          ],
          ['account', p.accountChanges.map(fieldChangeText)],
        ],
        '    ',
        11,
      ),
    );
  }
  const d = c.disagreements;
  lines.push('', `Disagreements: ${d.appeared.length} appeared, ${d.disappeared.length} went, ${d.changed.length} changed`);
  for (const [label, list] of [['+', d.appeared], ['-', d.disappeared], ['~', d.changed.map((x) => x.after)]] as const) {
    for (const x of list) lines.push(`  ${label} ${x.kind}: ${x.field} (${x.positions.map((p) => partyLabel(p.partyId, names)).join(' / ')})`);
  }
  return lines.join('\n');
};

export const changesCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  addPageOptions(new Command('changes'))
    .description('What each party added, corrected, retracted, denied, and what the ledger amended, between two moments of one clock')
    .argument('<incidentId>', 'the incident')
    .requiredOption('--from <moment>', 'the earlier moment: an ISO-8601 instant or date, or a log position with --clock position')
    .option('--to <moment>', 'the later moment (default: everything in the log)')
    .option('--clock <clock>', 'recorded (default), stated or position')
    .option('--json', 'print the changes document (as GET /audit/incidents/<id>/changes returns it)')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw a progress bar')
    .action(async (incidentId: string, _options: ChangesOptions, command: Command) => {
      const options = command.optsWithGlobals<ChangesOptions>();
      const page = pageFromOptions(options);
      const source = resolveLedgerSource(options, env);
      const store = source.open();
      let result: { changes: IncidentChanges & { page?: EntriesPage }; names: PartyNames };
      try {
        const log = await readIncidentLog(store, source, incidentId, out, progressEnabled(out, options.progress));
        const { from, to } = changesBounds(options, log);
        let changes: IncidentChanges & { page?: EntriesPage };
        try {
          changes = incidentChanges(log.envelopes, incidentId, from, to, page);
        } catch (error) {
          if (error instanceof AsOfError) throw new CliError(error.message, EXIT.usage);
          throw error;
        }
        if (!changes.incident.after) throw new CliError(`Incident ${incidentId} is not in the ledger as of ${describeAsOf(to)}`, EXIT.failed);
        result = { changes, names: log.names };
      } catch (error) {
        throw storeFailure('changes', error);
      } finally {
        await store.close();
      }
      out.result(options.json ? toJson(result.changes, 2) : withPageLine(formatChanges(result.changes, result.names), result.changes.page, `ledger-cli changes ${incidentId}`));
    });
