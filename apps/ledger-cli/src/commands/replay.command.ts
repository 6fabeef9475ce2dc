import { Command } from 'commander';
import { AssertionField, Assertions, EntryRef, IncidentEvent, PointInTime, Source, Statement, boundClaimVersion, storedTypeOf } from '@ledger/domain';
import { amendmentsTable, categoryText, ClaimHistoryDoc, FieldChange, IncidentFacts, incidentsTable, SqliteReadModelStore, throwawayReadModelStore } from '@ledger/read-models';
import { CliOutput } from '../cli-output';
import { GlobalOptions } from '../ledger-files';
import { IncidentLog, readIncidentLog, storeFailure } from '../ledger-reads';
import { resolveLedgerSource } from '../ledger-source';
import { progressEnabled } from '../progress-bar';
import {
  assertionRows,
  fieldChangeText,
  groupRows,
  interval,
  labelled,
  partyLabel,
  PartyNames,
  place,
  pointInTime,
  sourceText,
  statementText,
  toJson,
} from '../text-format';

export interface ReplayOptions extends GlobalOptions {
  json?: boolean;
  progress?: boolean;
}

export interface PartyRef {
  id: string;
  name: string | null;
}

/** One event of the incident as the auditor reads it: who, when on each clock, from where, and what it changed. */
export interface ReplayEntry {
  /** 1-based place in its incident's stream (revision + 1). */
  index: number;
  /** The incident whose stream holds it, when another than the one replayed (merged into it, or split from it). */
  recordedIn?: string;
  position: string;
  revision: string;
  eventId: string;
  type: IncidentEvent['type'];
  storedType: string;
  /** Who said it; null for the ledger's own entries (the report, amendments). */
  party: PartyRef | null;
  statedAt: PointInTime | null;
  recordedAt: string;
  recordedBy: string;
  correlationId: string;
  source: Source | null;
  /** One line for humans. */
  summary: string;
  claimId?: string;
  version?: number;
  denialId?: string;
  amendmentId?: string;
  reason?: string;
  statement?: Statement;
  /** ClaimMade: what the party asserted; ClaimCorrected: only what the correction restates. */
  assertions?: Assertions;
  answers?: string[];
  /** SourceGraded: the grade given to the claim version (Admiralty system, e.g. B2). */
  grade?: string;
  /** ClaimDenied: the claimant, the denied fields (empty: the whole claim) and the values denied, as the claim read then. */
  claimParty?: PartyRef;
  deniedAssertions?: AssertionField[];
  deniedValues?: Partial<Assertions>;
  /** EntryAmended: the entry fixed and whose entry it is. */
  amends?: EntryRef;
  amendsPartyOf?: PartyRef | null;
  amendedFields?: string[];
  /** IncidentReported: the facts reported. */
  incident?: Pick<IncidentFacts, 'title' | 'summary' | 'category' | 'occurred' | 'location'>;
  /** ClaimCorrected and EntryAmended: the field-level diff, computed by the claim-history projection. */
  changes?: FieldChange[];
}

export interface IncidentReplay {
  incidentId: string;
  title: string | null;
  readFrom: string;
  events: ReplayEntry[];
}

const ref = (id: string, names: PartyNames): PartyRef => ({ id, name: names.get(id)?.name ?? null });

const refLabel = (p: PartyRef | null | undefined): string => (p ? (p.name ? `${p.name} (${p.id})` : p.id) : 'the ledger');

const entryText = (entry: EntryRef): string => {
  switch (entry.kind) {
    case 'incident':
      return 'the incident report';
    case 'claim':
      return `claim ${entry.claimId} version ${entry.version}`;
    case 'denial':
      return `denial ${entry.denialId}`;
    case 'retraction':
      return `the retraction of claim ${entry.claimId}`;
  }
};

const lastAmendment = (doc: ClaimHistoryDoc | undefined, amendmentId: string) => doc?.amendments.find((a) => a.amendmentId === amendmentId);

/**
 * Walks the incident's stream event by event, folding the read models'
 * projection alongside (into a throwaway in-memory store) so that each
 * correction and amendment is shown with the diff the read models compute
 * at that point of the log (not with today's state of the claim).
 */
export const replayIncident = (incidentId: string, log: IncidentLog, readFrom: string): IncidentReplay => {
  const store = throwawayReadModelStore();
  try {
    return replayInto(store, incidentId, log, readFrom);
  } finally {
    store.close();
  }
};

/** Who said it, when by its own account, and where the ledger read it. */
const spokenBy = (d: { partyId: string; statedAt: PointInTime; source: Source }, names: PartyNames) => ({
  party: ref(d.partyId, names),
  statedAt: d.statedAt,
  source: d.source,
});

type ReplayBase = Omit<ReplayEntry, 'party' | 'statedAt' | 'source' | 'summary'>;

interface ReplayContext {
  store: SqliteReadModelStore;
  incidentId: string;
  names: PartyNames;
  history: { get(claimId: string): ClaimHistoryDoc | undefined };
  /** Claim and claimant by denial id, to say whose claim an amended denial was about. */
  denials: Map<string, { claimId: string; partyId: string }>;
}

/** The ledger's own bookkeeping of which event entries are about (merges, splits): nobody's statement. */
const ledgerLine = (base: ReplayBase, summary: string, reason: string): ReplayEntry => ({ ...base, party: null, statedAt: null, source: null, summary, reason });

type Describer<T extends IncidentEvent['type']> = (event: Extract<IncidentEvent, { type: T }>, base: ReplayBase, context: ReplayContext) => ReplayEntry;

/** One describer per event type: a type added to the domain without one here fails to compile. */
const DESCRIBE: { [T in IncidentEvent['type']]: Describer<T> } = {
  IncidentReported: (event, base) => {
    const { title, summary, category, occurred, location } = event.data;
    return {
      ...base,
      party: null,
      statedAt: null,
      source: null,
      summary: `Incident reported: ${title}`,
      incident: { title, summary, category, occurred, location },
    };
  },
  ClaimMade: (event, base, { names }) => {
    const d = event.data;
    return {
      ...base,
      ...spokenBy(d, names),
      summary: `${partyLabel(d.partyId, names)} made claim ${d.claimId}${d.answers.length ? `, answering ${d.answers.join(', ')}` : ''}`,
      claimId: d.claimId,
      version: 1,
      statement: d.statement,
      assertions: d.assertions,
      answers: d.answers,
    };
  },
  ClaimCorrected: (event, base, { names, history }) => {
    const d = event.data;
    const version = history.get(d.claimId)?.versions.find((v) => v.version === d.version);
    return {
      ...base,
      ...spokenBy(d, names),
      summary: `${partyLabel(d.partyId, names)} corrected its claim ${d.claimId} to version ${d.version}`,
      claimId: d.claimId,
      version: d.version,
      reason: d.reason,
      ...(d.statement ? { statement: d.statement } : {}),
      ...(d.assertions ? { assertions: d.assertions } : {}),
      changes: version?.changes ?? [],
    };
  },
  ClaimDenied: (event, base, { names, history, denials }) => {
    const d = event.data;
    denials.set(d.denialId, { claimId: d.claimId, partyId: d.partyId });
    const claim = history.get(d.claimId);
    // The values of the version denied (an upcast v1 denial: the version the claim had then), not a later correction's.
    const version = boundClaimVersion(d, claim?.versions[claim.versions.length - 1]?.version);
    const current = claim?.versions.find((v) => v.version === version)?.assertions ?? {};
    const fields = d.deniedAssertions.length ? d.deniedAssertions : (Object.keys(current) as AssertionField[]);
    const deniedValues = Object.fromEntries(fields.filter((f) => current[f] !== undefined).map((f) => [f, current[f]])) as Partial<Assertions>;
    return {
      ...base,
      ...spokenBy(d, names),
      summary: `${partyLabel(d.partyId, names)} denied claim ${d.claimId} of ${partyLabel(d.claimPartyId, names)} (${
        d.deniedAssertions.length ? d.deniedAssertions.join(', ') : 'the whole claim'
      })`,
      claimId: d.claimId,
      version,
      denialId: d.denialId,
      statement: d.statement,
      claimParty: ref(d.claimPartyId, names),
      deniedAssertions: d.deniedAssertions,
      deniedValues,
    };
  },
  ClaimRetracted: (event, base, { names }) => {
    const d = event.data;
    return {
      ...base,
      ...spokenBy(d, names),
      summary: `${partyLabel(d.partyId, names)} retracted its claim ${d.claimId}`,
      claimId: d.claimId,
      reason: d.reason,
      ...(d.statement ? { statement: d.statement } : {}),
    };
  },
  SourceGraded: (event, base, { names, history }) => {
    const d = event.data;
    const owner = history.get(d.claimId)?.partyId;
    const grade = `${d.reliability}${d.credibility}`;
    return {
      ...base,
      party: null,
      statedAt: null,
      source: null,
      summary: `${d.gradedBy} graded claim ${d.claimId} version ${d.claimVersion}${owner ? ` (${partyLabel(owner, names)})` : ''} ${grade}: the ledger's assessment, not the party's`,
      claimId: d.claimId,
      version: d.claimVersion,
      grade,
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
    };
  },
  EntryAmended: (event, base, { store, incidentId, names, history, denials }) => {
    const d = event.data;
    const entry = d.entry;
    let owner: string | undefined;
    let changes: FieldChange[] = [];
    if (entry.kind === 'incident') {
      changes = store.tables.get(amendmentsTable, { incidentId, amendmentId: d.amendmentId })?.diff ?? [];
    } else {
      const claimId = entry.kind === 'denial' ? denials.get(entry.denialId)?.claimId : entry.claimId;
      const doc = claimId === undefined ? undefined : history.get(claimId);
      changes = lastAmendment(doc, d.amendmentId)?.changes ?? [];
      owner = entry.kind === 'denial' ? denials.get(entry.denialId)?.partyId : doc?.partyId;
    }
    return {
      ...base,
      party: null,
      statedAt: null,
      source: null,
      summary: `Ledger amendment ${d.amendmentId} of ${entryText(entry)}${owner ? ` (${partyLabel(owner, names)})` : ''}: a transcription fix, not a correction by the party`,
      amendmentId: d.amendmentId,
      amends: entry,
      amendsPartyOf: owner ? ref(owner, names) : null,
      amendedFields: Object.keys(d.changes).filter((k) => (d.changes as Record<string, unknown>)[k] !== undefined),
      reason: d.reason,
      changes,
    };
  },
  IncidentMergedInto: (event, base) => ledgerLine(base, `Merged into incident ${event.data.survivorId} (merge ${event.data.mergeId})`, event.data.reason),
  IncidentsMerged: (event, base) => ledgerLine(base, `Absorbed incident ${event.data.absorbedId} (merge ${event.data.mergeId})`, event.data.reason),
  IncidentSplit: (event, base) =>
    ledgerLine(base, `Split claims ${event.data.claimIds.join(', ')} off into incident ${event.data.newIncidentId} (split ${event.data.splitId})`, event.data.reason),
  IncidentSplitFrom: (event, base) =>
    ledgerLine(base, `Made by split ${event.data.splitId} of incident ${event.data.sourceId}, with claims ${event.data.claimIds.join(', ')}`, event.data.reason),
};

const replayInto = (store: SqliteReadModelStore, incidentId: string, log: IncidentLog, readFrom: string): IncidentReplay => {
  const context: ReplayContext = {
    store,
    incidentId,
    names: log.names,
    history: { get: (claimId) => store.claimHistory(incidentId, claimId) },
    denials: new Map(),
  };
  const events: ReplayEntry[] = [];
  for (const e of log.envelopes) {
    const event = e.event as IncidentEvent;
    const base: ReplayBase = {
      index: Number(e.revision) + 1,
      ...(event.data.incidentId !== incidentId ? { recordedIn: event.data.incidentId } : {}),
      position: e.position.toString(),
      revision: e.revision.toString(),
      eventId: e.eventId,
      type: event.type,
      // What the log holds, an old version included, not the name it would be written under today.
      storedType: e.storedType ?? storedTypeOf(event.type),
      recordedAt: e.recordedAt,
      recordedBy: e.recordedBy,
      correlationId: e.correlationId,
    };
    store.apply([e]);
    const describe = DESCRIBE[event.type] as Describer<IncidentEvent['type']>;
    events.push(describe(event, base, context));
  }
  return { incidentId, title: store.tables.get(incidentsTable, { incidentId })?.title ?? null, readFrom, events };
};

export const formatReplay = (r: IncidentReplay, names: PartyNames): string => {
  const lines: string[] = [];
  const first = r.events[0];
  const last = r.events[r.events.length - 1];
  lines.push(`Incident ${r.incidentId}${r.title ? `: ${r.title}` : ''}`);
  lines.push(`${r.events.length} events, log positions ${first?.position ?? '-'}..${last?.position ?? '-'}, read from ${r.readFrom}`);
  lines.push('Clocks: "stated" is when the party said it (as the ledger has it), "recorded" when the ledger wrote it down.');
  for (const e of r.events) {
    lines.push('');
    const marker = e.type === 'EntryAmended' ? '  LEDGER AMENDMENT' : e.type === 'ClaimCorrected' ? '  CORRECTION BY THE PARTY' : '';
    lines.push(`#${e.index}${e.recordedIn ? ` of incident ${e.recordedIn}` : ''}  position ${e.position}  revision ${e.revision}  ${e.storedType}${marker}`);
    lines.push(`    ${e.summary}`);
    const rows: Array<[string, string | string[]]> = [];
    if (e.party) rows.push(['party', refLabel(e.party)]);
    if (e.statedAt) rows.push(['stated', pointInTime(e.statedAt)]);
    rows.push(['recorded', `${e.recordedAt} by ${e.recordedBy}`]);
    if (e.source) rows.push(['source', sourceText(e.source)]);
    if (e.incident) {
      rows.push(['category', categoryText(e.incident.category)], ['occurred', interval(e.incident.occurred)], ['where', place(e.incident.location)]);
      rows.push(['summary', e.incident.summary]);
    }
    if (e.amends) {
      rows.push(['amends', `${entryText(e.amends)}${e.amendsPartyOf ? ` of ${refLabel(e.amendsPartyOf)}` : ''}`]);
      rows.push(['fields', (e.amendedFields ?? []).join(', ')]);
    }
    if (e.claimParty) {
      rows.push(['denies', `claim ${e.claimId} of ${refLabel(e.claimParty)}`]);
      rows.push(['which', e.deniedAssertions?.length ? e.deniedAssertions.join(', ') : 'the whole claim']);
      const denied = assertionRows(e.deniedValues as Assertions, names).map(([label, text]) => `${label}: ${text}`);
      if (denied.length) rows.push(['claimed', denied]);
    }
    if (e.grade !== undefined) rows.push(['grade', e.grade]);
    if (e.reason !== undefined) rows.push(['reason', e.reason]);
    if (e.statement) rows.push(['words', statementText(e.statement)]);
    if (e.answers?.length) rows.push(['answers', e.answers.join(', ')]);
    if (e.type === 'ClaimMade') for (const [label, values] of groupRows(assertionRows(e.assertions, names))) rows.push([label, values]);
    if (e.changes) rows.push(['changes', e.changes.length ? e.changes.map(fieldChangeText) : ['(nothing changed)']]);
    lines.push(...labelled(rows, '    ', 12));
  }
  return lines.join('\n');
};

export const runReplay = async (incidentId: string, options: ReplayOptions, out: CliOutput, env: NodeJS.ProcessEnv): Promise<{ replay: IncidentReplay; names: PartyNames }> => {
  const source = resolveLedgerSource(options, env);
  const store = source.open();
  try {
    const log = await readIncidentLog(store, source, incidentId, out, progressEnabled(out, options.progress));
    return { replay: replayIncident(incidentId, log, source.description), names: log.names };
  } catch (error) {
    throw storeFailure('replay', error);
  } finally {
    await store.close();
  }
};

export const replayCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  new Command('replay')
    .description('Replay an incident event by event: who said what, when (stated and recorded), from which source, and what each event changed')
    .argument('<incidentId>', 'the incident (its id, as in /incidents/<id>)')
    .option('--json', 'print the events as one JSON object')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw a progress bar')
    .addHelpText(
      'after',
      `
Corrections (the party changing its own claim) show the field-level diff the
claim-history read model computes; ledger amendments (the ledger fixing its
own transcription) are marked apart and show which entry and fields they fix.
Denials show which claim and which of its assertions they deny.

Reads only; safe while the API runs. With EVENTSTORE_CONNECTION_STRING set it
reads EventStoreDB, like the API.`,
    )
    .action(async (incidentId: string, _options: ReplayOptions, command: Command) => {
      const options = command.optsWithGlobals<ReplayOptions>();
      const { replay, names } = await runReplay(incidentId, options, out, env);
      out.result(options.json ? toJson(replay, 2) : formatReplay(replay, names));
    });
