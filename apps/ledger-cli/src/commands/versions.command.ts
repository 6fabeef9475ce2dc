import { Command } from 'commander';
import { Assertions, Estimate, INFORMATION_CREDIBILITIES, InformationCredibility, Place, SOURCE_RELIABILITIES, SourceReliability, TimeInterval } from '@ledger/domain';
import {
  AsOf,
  AsOfJson,
  asOfToJson,
  categoryText,
  Disagreement,
  DisagreementPosition,
  EntriesPage,
  EntriesPageRequest,
  GradeFilter,
  PartyVersionsDoc,
  partyVersionsAsOf,
  fillPartyNames,
} from '@ledger/read-models';
import { addAsOfOptions, addPageOptions, AsOfOptions, asOfFromOptions, describeAsOf, PageOptions, pageFromOptions, withPageLine } from '../as-of-options';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions } from '../ledger-files';
import { IncidentLog, readIncidentLog, storeFailure } from '../ledger-reads';
import { resolveLedgerSource } from '../ledger-source';
import { progressEnabled } from '../progress-bar';
import {
  assertionRows,
  ceasefireText,
  estimate,
  groupRows,
  interval,
  labelled,
  partyLabel,
  PartyNames,
  place,
  pointInTime,
  toJson,
} from '../text-format';

export interface VersionsOptions extends GlobalOptions, AsOfOptions, PageOptions {
  json?: boolean;
  progress?: boolean;
  minReliability?: string;
  minCredibility?: string;
}

/** --min-reliability A..F and --min-credibility 1..6, as the API's minReliability and minCredibility. */
export const minGradeFromOptions = (options: Pick<VersionsOptions, 'minReliability' | 'minCredibility'>): GradeFilter => {
  const { minReliability, minCredibility } = options;
  if (minReliability !== undefined && !(SOURCE_RELIABILITIES as readonly string[]).includes(minReliability)) {
    throw new CliError(`--min-reliability must be one of ${SOURCE_RELIABILITIES.join(', ')}`, EXIT.usage);
  }
  const credibility = minCredibility !== undefined && /^[1-6]$/.test(minCredibility) ? (Number(minCredibility) as InformationCredibility) : undefined;
  if (minCredibility !== undefined && credibility === undefined) throw new CliError(`--min-credibility must be one of ${INFORMATION_CREDIBILITIES.join(', ')}`, EXIT.usage);
  return { ...(minReliability !== undefined ? { minReliability: minReliability as SourceReliability } : {}), ...(credibility !== undefined ? { minCredibility: credibility } : {}) };
};

/** The API's as-of answer (GET /audit/incidents/:id/versions) plus the parties' names; asOf null means now; `page` with --limit or --after. */
export type VersionsAsOfResult = { asOf: AsOfJson | null; position: string; partyNames: Record<string, string> } & PartyVersionsDoc & { page?: EntriesPage };

/** The whole incident stream is "now"; a position cut at its last event folds all of it. */
const cutOf = (log: IncidentLog, asOf: AsOf | undefined): AsOf =>
  asOf ?? { clock: 'position', position: log.envelopes.reduce((max, e) => (e.position > max ? e.position : max), 0n) };

export const partyNamesOf = (ids: Iterable<string>, names: PartyNames): Record<string, string> =>
  Object.fromEntries([...ids].flatMap((id) => (names.get(id) ? [[id, names.get(id)!.name]] : [])));

export const versionsAsOf = (incidentId: string, log: IncidentLog, asOf: AsOf | undefined, minGrade?: GradeFilter, page?: EntriesPageRequest): VersionsAsOfResult => {
  const doc = fillPartyNames(partyVersionsAsOf(log.envelopes, incidentId, cutOf(log, asOf), minGrade, page), (id) => log.names.get(id)?.name ?? null);
  if (!doc?.incident) {
    const reported = log.envelopes[0];
    throw new CliError(
      `Incident ${incidentId} is not in the ledger as of ${describeAsOf(asOf)}` +
        (reported ? ` (it was reported at log position ${reported.position}, recorded ${reported.recordedAt})` : ''),
      EXIT.failed,
    );
  }
  const ids = new Set(doc.parties.map((p) => p.partyId));
  for (const d of doc.disagreements) for (const p of d.positions) ids.add(p.partyId);
  return { asOf: asOf ? asOfToJson(asOf) : null, position: doc.lastPosition, ...doc, partyNames: partyNamesOf(ids, log.names) };
};

/** A disagreement position's value, written for the kind of point in dispute. */
const positionValue = (d: Disagreement, p: DisagreementPosition, names: PartyNames): string => {
  const v = p.value;
  if (v === undefined) return '';
  switch (d.kind) {
    case 'responsible-parties':
      return (v as string[]).map((id) => partyLabel(id, names)).join(', ') || 'nobody named';
    case 'ceasefire':
      return ceasefireText(v as NonNullable<Assertions['ceasefire']>, names);
    case 'casualties':
      return `${d.figure} ${estimate(v as Estimate)}`;
    case 'occurred':
      return interval(v as TimeInterval);
    case 'location':
      return place(v as Place);
    case 'denial':
      return assertionRows(v as Assertions, names)
        .map(([label, text]) => `${label}: ${text}`)
        .join('; ');
  }
};

const disagreementTitle = (d: Disagreement, names: PartyNames): string => {
  switch (d.kind) {
    case 'responsible-parties':
      return 'who is responsible';
    case 'ceasefire':
      return 'whether and by whom the ceasefire was violated';
    case 'casualties':
      return `casualties of ${partyLabel(d.side ?? '?', names)}: ${d.figure}`;
    case 'occurred':
      return 'when it happened';
    case 'location':
      return 'where it happened';
    case 'denial': {
      const claimant = d.positions.find((p) => p.role === 'claimant');
      return `denial of claim ${claimant?.claimId ?? '?'} (${d.deniedAssertions?.length ? d.deniedAssertions.join(', ') : 'the whole claim'})`;
    }
  }
};

export const formatVersions = (r: VersionsAsOfResult, names: PartyNames): string => {
  const lines: string[] = [];
  const incident = r.incident!;
  lines.push(`Incident ${r.incidentId}: ${incident.title}`);
  lines.push(`As of ${r.asOf ? describeAsOf(r.asOf) : 'now'} (log position ${r.position}, incident revision ${r.revision})`);
  if (r.gradeFilter) {
    const min = [r.gradeFilter.minReliability, r.gradeFilter.minCredibility].filter((v) => v !== undefined).join(' and ');
    lines.push(`Counting only claims graded at least ${min} (ungraded claims left out)`);
  }
  lines.push(
    ...labelled(
      [
        ['category', categoryText(incident.category)],
        ['occurred', interval(incident.occurred)],
        ['where', place(incident.location)],
        ['reported', `${incident.reportedAt} by ${incident.reportedBy}`],
        ['amendments', `${r.amendments.length} (ledger transcription fixes)`],
      ],
      '  ',
      12,
    ),
  );
  lines.push('', `Party versions (${r.parties.length})`);
  if (r.parties.length === 0) lines.push('  (no party had spoken by then)');
  for (const party of r.parties) {
    lines.push('', `  ${partyLabel(party.partyId, names)}`);
    const rows: Array<[string, string | string[]]> = [];
    rows.push([
      'claims',
      party.claims.map(
        (c) =>
          `${c.claimId} v${c.version}, stated ${pointInTime(c.statedAt)}, ${c.grade ? `graded ${c.grade.reliability}${c.grade.credibility}` : 'ungraded'}${c.retracted ? ', RETRACTED' : ''}` +
          (c.denials.length ? `, denied by ${c.denials.map((d) => partyLabel(d.partyId, names)).join(', ')}` : ''),
      ),
    ]);
    const account = party.currentAccount;
    const current: Assertions = Object.fromEntries(Object.entries(account).map(([field, entry]) => [field, entry!.value]));
    for (const [label, values] of groupRows(assertionRows(current, names))) rows.push([label, values]);
    rows.push([
      'denied',
      party.denialsMade.map(
        (d) =>
          `claim ${d.claimId} of ${partyLabel(d.claimPartyId, names)} (${d.deniedAssertions.length ? d.deniedAssertions.join(', ') : 'the whole claim'})` +
          (d.active ? '' : ', no longer standing (claim retracted)'),
      ),
    ]);
    lines.push(...labelled(rows, '    ', 13));
  }
  lines.push('', `Disagreements (${r.disagreements.length})`);
  if (r.disagreements.length === 0) lines.push('  (none)');
  r.disagreements.forEach((d, i) => {
    lines.push(`  ${i + 1}. ${disagreementTitle(d, names)}  [${d.kind}: ${d.field}]`);
    const width = Math.max(...d.positions.map((p) => partyLabel(p.partyId, names).length + (p.role ? p.role.length + 1 : 0)));
    for (const p of d.positions) {
      const who = `${p.role ? `${p.role} ` : ''}${partyLabel(p.partyId, names)}`;
      const value = positionValue(d, p, names);
      const origin = p.denialId ? `denial ${p.denialId}` : `claim ${p.claimId}`;
      lines.push(`       ${who.padEnd(width)}  ${value ? `${value}  ` : ''}(${origin})`);
    }
  });
  return lines.join('\n');
};

export const runVersions = async (
  incidentId: string,
  options: VersionsOptions,
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<{ result: VersionsAsOfResult; names: PartyNames }> => {
  const asOf = asOfFromOptions(options);
  const minGrade = minGradeFromOptions(options);
  const page = pageFromOptions(options);
  const source = resolveLedgerSource(options, env);
  const store = source.open();
  try {
    const log = await readIncidentLog(store, source, incidentId, out, progressEnabled(out, options.progress));
    return { result: versionsAsOf(incidentId, log, asOf, minGrade, page), names: log.names };
  } catch (error) {
    throw storeFailure('versions', error);
  } finally {
    await store.close();
  }
};

export const versionsCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  addPageOptions(
    addAsOfOptions(
      new Command('versions')
        .description("Each party's version of an incident and the points where the versions disagree, now or as of a moment")
        .argument('<incidentId>', 'the incident'),
    ),
  )
    .option('--json', 'print the party-versions document (as GET /audit/incidents/<id>/versions returns it, with party names)')
    .option('--min-reliability <A-F>', 'count only claims whose current version is graded with a source reliability at least this good (ungraded ones left out)')
    .option('--min-credibility <1-6>', 'count only claims whose current version is graded with an information credibility at least this good')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw a progress bar')
    .addHelpText(
      'after',
      `
Clocks are never mixed:
  --as-of 2019-06-03T09:00:00Z                 as the ledger knew it then (recorded time)
  --as-of 2019-05-31 --clock stated            what the parties had said by the end of that day,
                                               however late the ledger recorded it
  --position 42                                the log up to global position 42

The answer is folded from the log by the read model's own code, so the past is
answered exactly like the present. Reads only; safe while the API runs.`,
    )
    .action(async (incidentId: string, _options: VersionsOptions, command: Command) => {
      const options = command.optsWithGlobals<VersionsOptions>();
      const { result, names } = await runVersions(incidentId, options, out, env);
      out.result(options.json ? toJson(result, 2) : withPageLine(formatVersions(result, names), result.page, `ledger-cli versions ${incidentId}`));
    });
