import { AssertionField, Assertions, EntryRef, IncidentEvent, PointInTime, assertedFields } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { DocumentProjection } from '../projection';

export type TimelineEntryKind = 'reported' | 'claim' | 'denial' | 'correction' | 'retraction' | 'amendment';

/** The data a summary line is written from; kept so that an amendment can rewrite the line. */
export type TimelineDetail =
  | { kind: 'reported'; title: string; category: string; place: string }
  | { kind: 'claim'; fields: AssertionField[]; answers: string[] }
  | { kind: 'denial'; claimPartyId: string; deniedAssertions: AssertionField[] }
  | { kind: 'correction'; fields: AssertionField[]; statementChanged: boolean; reason: string }
  | { kind: 'retraction'; reason: string }
  | { kind: 'amendment'; entry: EntryRef; fields: string[]; reason: string };

export interface TimelineEntry extends EntryMeta {
  kind: TimelineEntryKind;
  /** Who said it; null for the ledger's own entries (report, amendment). */
  partyId: string | null;
  claimId?: string;
  version?: number;
  denialId?: string;
  amendmentId?: string;
  /** One line for humans, written from the data. */
  summary: string;
  statedAt: PointInTime | null;
  detail: TimelineDetail;
  amendedBy: string[];
}

/** Every entry of an incident in recorded order. Keyed by incidentId. */
export interface IncidentTimelineDoc {
  incidentId: string;
  entries: TimelineEntry[];
  lastPosition: string;
}

const list = (items: string[]): string => items.join(', ');

const entryRefText = (ref: EntryRef): string => {
  switch (ref.kind) {
    case 'incident':
      return 'the incident report';
    case 'claim':
      return `claim ${ref.claimId} version ${ref.version}`;
    case 'denial':
      return `denial ${ref.denialId}`;
    case 'retraction':
      return `the retraction of claim ${ref.claimId}`;
  }
};

export const summarise = (entry: Pick<TimelineEntry, 'partyId' | 'claimId' | 'version' | 'detail'>): string => {
  const d = entry.detail;
  switch (d.kind) {
    case 'reported':
      return `Incident reported: ${d.title} (${d.category}, ${d.place})`;
    case 'claim':
      return (
        `${entry.partyId} made claim ${entry.claimId}` +
        (d.fields.length ? ` (${list(d.fields)})` : '') +
        (d.answers.length ? ` answering ${list(d.answers)}` : '')
      );
    case 'denial':
      return `${entry.partyId} denied claim ${entry.claimId} of ${d.claimPartyId} (${d.deniedAssertions.length ? list(d.deniedAssertions) : 'whole claim'})`;
    case 'correction': {
      const what = [...(d.statementChanged ? ['statement'] : []), ...d.fields];
      return `${entry.partyId} corrected claim ${entry.claimId} to version ${entry.version}` + (what.length ? ` (${list(what)})` : '') + `: ${d.reason}`;
    }
    case 'retraction':
      return `${entry.partyId} retracted claim ${entry.claimId}: ${d.reason}`;
    case 'amendment':
      return `Ledger amended ${entryRefText(d.entry)} (${list(d.fields)}): ${d.reason}`;
  }
};

const entry = (e: LedgerEnvelope, fields: Omit<TimelineEntry, 'summary' | 'amendedBy' | keyof EntryMeta>): TimelineEntry => ({
  ...fields,
  summary: summarise(fields),
  amendedBy: [],
  ...entryMeta(e),
});

/** Applies a ledger amendment to the entry it fixes, so its line and stated time read as the ledger now has them. */
const amendTarget = (entries: TimelineEntry[], ref: EntryRef, changes: Record<string, unknown>, amendmentId: string): void => {
  const target = entries.find((t) => {
    switch (ref.kind) {
      case 'incident':
        return t.kind === 'reported';
      case 'claim':
        return (t.kind === 'claim' || t.kind === 'correction') && t.claimId === ref.claimId && t.version === ref.version;
      case 'denial':
        return t.kind === 'denial' && t.denialId === ref.denialId;
      case 'retraction':
        return t.kind === 'retraction' && t.claimId === ref.claimId;
    }
  });
  if (!target) return;
  const c = changes as {
    title?: string;
    category?: string;
    location?: { name: string };
    statedAt?: PointInTime;
    assertions?: Assertions;
    deniedAssertions?: AssertionField[];
    reason?: string;
    statement?: unknown;
  };
  const d = target.detail;
  if (d.kind === 'reported') {
    target.detail = { ...d, title: c.title ?? d.title, category: c.category ?? d.category, place: c.location?.name ?? d.place };
  } else if (d.kind === 'claim' || d.kind === 'correction') {
    // An amendment restates the entry's assertions wholesale.
    const fields = c.assertions ? assertedFields(c.assertions) : d.fields;
    target.detail = d.kind === 'claim' ? { ...d, fields } : { ...d, fields, statementChanged: d.statementChanged || c.statement !== undefined };
  } else if (d.kind === 'denial') {
    target.detail = { ...d, deniedAssertions: c.deniedAssertions ?? d.deniedAssertions };
  } else if (d.kind === 'retraction') {
    target.detail = { ...d, reason: c.reason ?? d.reason };
  }
  if (c.statedAt) target.statedAt = c.statedAt;
  target.summary = summarise(target);
  target.amendedBy.push(amendmentId);
};

const evolveTimeline = (current: IncidentTimelineDoc | undefined, e: LedgerEnvelope, incidentId: string): IncidentTimelineDoc => {
  // Updated in place: the caller owns `current` (see DocumentProjection); an event appends one entry, an amendment rewrites one more.
  const doc: IncidentTimelineDoc = current ?? { incidentId, entries: [], lastPosition: '0' };
  const event = e.event as IncidentEvent;
  switch (event.type) {
    case 'IncidentReported': {
      const { title, category, location } = event.data;
      doc.entries.push(entry(e, { kind: 'reported', partyId: null, statedAt: null, detail: { kind: 'reported', title, category, place: location.name } }));
      break;
    }
    case 'ClaimMade': {
      const { partyId, claimId, statedAt, assertions, answers } = event.data;
      doc.entries.push(
        entry(e, { kind: 'claim', partyId, claimId, version: 1, statedAt, detail: { kind: 'claim', fields: assertedFields(assertions), answers } }),
      );
      break;
    }
    case 'ClaimDenied': {
      const { partyId, claimId, denialId, statedAt, claimPartyId, deniedAssertions } = event.data;
      doc.entries.push(entry(e, { kind: 'denial', partyId, claimId, denialId, statedAt, detail: { kind: 'denial', claimPartyId, deniedAssertions } }));
      break;
    }
    case 'ClaimCorrected': {
      const { partyId, claimId, version, statedAt, assertions, statement, reason } = event.data;
      doc.entries.push(
        entry(e, {
          kind: 'correction',
          partyId,
          claimId,
          version,
          statedAt,
          detail: { kind: 'correction', fields: assertedFields(assertions ?? {}), statementChanged: statement !== undefined, reason },
        }),
      );
      break;
    }
    case 'ClaimRetracted': {
      const { partyId, claimId, statedAt, reason } = event.data;
      doc.entries.push(entry(e, { kind: 'retraction', partyId, claimId, statedAt, detail: { kind: 'retraction', reason } }));
      break;
    }
    case 'EntryAmended': {
      const { amendmentId, entry: ref, changes, reason } = event.data;
      amendTarget(doc.entries, ref, changes as Record<string, unknown>, amendmentId);
      doc.entries.push(
        entry(e, {
          kind: 'amendment',
          partyId: null,
          amendmentId,
          ...(ref.kind === 'claim' ? { claimId: ref.claimId, version: ref.version } : {}),
          ...(ref.kind === 'retraction' ? { claimId: ref.claimId } : {}),
          ...(ref.kind === 'denial' ? { denialId: ref.denialId } : {}),
          statedAt: null,
          detail: { kind: 'amendment', entry: ref, fields: Object.keys(changes), reason },
        }),
      );
      break;
    }
  }
  doc.lastPosition = e.position.toString();
  return doc;
};

export const incidentTimelineProjection: DocumentProjection<IncidentTimelineDoc> = {
  name: 'incident-timeline',
  version: 1,
  keysOf: (e) => (e.event.type === 'PartyRegistered' ? [] : [e.event.data.incidentId]),
  evolve: (doc, e, key) => evolveTimeline(doc, e, key),
};
