import { AssertionField, Assertions, CasualtyCategory, CasualtyReport, EntryRef, Estimate, Statement } from '@ledger/domain';

/** Names for sentences: a party's registered name, or its id when it has none. */
export type Label = (partyId: string) => string;

/** "A", "A and B", "A, B and C". */
export const andList = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

const estimate = (e: Estimate): string => (e.low !== undefined || e.high !== undefined ? `${e.best} (${e.low ?? '?'}–${e.high ?? '?'})` : String(e.best));

const CATEGORY_WORDS: Record<CasualtyCategory, string> = { civilians: 'civilians', combatants: 'combatants', unknown: 'people of unknown status' };

/** "Azerbaijani civilians (NL)", "combatants", "people of no stated side". */
const groupWords = (r: CasualtyReport, label: Label): string => {
  const who = [...(r.side !== undefined ? [label(r.side)] : []), ...(r.category ? [CATEGORY_WORDS[r.category]] : [])].join(' ');
  const base = who || (r.nationality ? 'people' : 'people of no stated side');
  return r.nationality ? `${base} of nationality ${r.nationality}` : base;
};

const casualtyClause = (r: CasualtyReport, label: Label): string => {
  const side = groupWords(r, label);
  const figures = [...(r.killed ? [`${estimate(r.killed)} killed`] : []), ...(r.wounded ? [`${estimate(r.wounded)} wounded`] : [])];
  const named = r.named?.length ? `${r.named.length} named victim${r.named.length === 1 ? '' : 's'}` : '';
  if (figures.length === 0) return named ? `${side} had ${named}` : `${side} had casualties`;
  return `${side} had ${andList(figures)}${named ? ` (${named})` : ''}`;
};

/** What the assertions state, as clauses ("Azerbaijan violated the ceasefire"), in the order of the assertion fields. */
export const assertionClauses = (a: Assertions, label: Label, only?: readonly AssertionField[]): string[] => {
  const wanted = (field: AssertionField) => a[field] !== undefined && (!only || only.length === 0 || only.includes(field));
  const clauses: string[] = [];
  if (wanted('responsibleParties')) {
    const ids = a.responsibleParties!;
    clauses.push(ids.length === 0 ? 'no one is responsible' : `${andList(ids.map(label))} ${ids.length === 1 ? 'is' : 'are'} responsible`);
  }
  if (wanted('ceasefire')) {
    const { violated, by } = a.ceasefire!;
    clauses.push(!violated ? 'the ceasefire was not violated' : by?.length ? `${andList(by.map(label))} violated the ceasefire` : 'the ceasefire was violated');
  }
  if (wanted('casualties')) {
    const reports = a.casualties!;
    clauses.push(reports.length === 0 ? 'there were no casualties' : reports.map((r) => casualtyClause(r, label)).join('; '));
  }
  if (wanted('occurred')) {
    const { from, to } = a.occurred!;
    clauses.push(from === to ? `it happened on ${from}` : `it happened between ${from} and ${to}`);
  }
  if (wanted('location')) clauses.push(`it happened at ${a.location!.name}`);
  return clauses;
};

const quote = (statement: Statement | undefined): string => {
  const text = statement?.text ?? '';
  return `"${text.length > 120 ? `${text.slice(0, 117)}...` : text}"`;
};

/** "that X; and that Y" when the assertions say something, else the words themselves. */
const what = (assertions: Assertions | undefined, statement: Statement | undefined, label: Label, only?: readonly AssertionField[]): string => {
  const clauses = assertions ? assertionClauses(assertions, label, only) : [];
  return clauses.length ? `that ${andList(clauses)}` : quote(statement);
};

/** What a timeline line is written from, looked up by the view for the entry (amendments applied). */
export type SummarySubject =
  | { kind: 'reported'; title: string; category: string; place: string }
  | { kind: 'claim'; partyId: string; assertions: Assertions; statement: Statement; answersParties: string[] }
  | { kind: 'correction'; partyId: string; version: number; changed: Assertions; statement?: Statement; reason: string }
  | { kind: 'denial'; partyId: string; claimPartyId: string; deniedAssertions: AssertionField[]; claimAssertions?: Assertions; claimStatement?: Statement; statement: Statement }
  | { kind: 'retraction'; partyId: string; claimAssertions?: Assertions; claimStatement?: Statement; reason: string }
  | { kind: 'amendment'; entry: EntryRef; entryPartyId: string | null; fields: string[]; reason: string };

/**
 * One line for humans: "Ministry of Defence of Azerbaijan claimed that Defense Army of Nagorno-Karabakh violated the
 * ceasefire", with names where the ledger has them and the claim's own words where it asserts nothing structured.
 */
export const readableSummary = (s: SummarySubject, label: Label): string => {
  switch (s.kind) {
    case 'reported':
      return `Incident reported: ${s.title} (${s.category}, ${s.place})`;
    case 'claim': {
      const answering = s.answersParties.length ? `, in answer to ${andList(s.answersParties.map(label))}` : '';
      const clauses = assertionClauses(s.assertions, label);
      return clauses.length ? `${label(s.partyId)} claimed that ${andList(clauses)}${answering}` : `${label(s.partyId)} said ${quote(s.statement)}${answering}`;
    }
    case 'correction': {
      const clauses = assertionClauses(s.changed, label);
      const now = clauses.length ? `now says that ${andList(clauses)}` : `now says ${quote(s.statement)}`;
      return `${label(s.partyId)} corrected its claim (version ${s.version}): ${now}. Reason: ${s.reason}`;
    }
    case 'denial': {
      const denied = s.claimAssertions
        ? what(s.claimAssertions, s.claimStatement, label, s.deniedAssertions)
        : quote(s.claimStatement);
      return `${label(s.partyId)} denied ${label(s.claimPartyId)}'s claim ${denied}`;
    }
    case 'retraction':
      return `${label(s.partyId)} retracted its claim ${what(s.claimAssertions, s.claimStatement, label)}. Reason: ${s.reason}`;
    case 'amendment': {
      const owner = s.entryPartyId === null ? 'a' : `${label(s.entryPartyId)}'s`;
      const entry =
        s.entry.kind === 'incident'
          ? 'the incident report'
          : s.entry.kind === 'claim'
            ? `${owner} claim (version ${s.entry.version})`
            : s.entry.kind === 'denial'
              ? `${owner} denial`
              : `${owner} retraction`;
      return `The ledger fixed its transcription of ${entry}, ${s.fields.length === 1 ? 'field' : 'fields'} ${s.fields.join(', ')}: ${s.reason}`;
    }
  }
};
