import { AssertionField, IncidentEvent, PartyKind, PartyRegisteredData, PointInTime, Statement } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { DocumentProjection, INTERNAL_KEY_PREFIX, ProjectionContext, cloneDocument } from '../projection';

export interface PartyRecordClaim extends EntryMeta {
  claimId: string;
  /** Current version. */
  version: number;
  /** The claim's words as they now stand. */
  statement: Statement;
  /** The version those words come from, so that an amendment of an older version does not overwrite newer words. */
  statementVersion: number;
  /** When the claim was made. */
  statedAt: PointInTime;
  /** When its current version was stated. */
  lastStatedAt: PointInTime;
  answers: string[];
  retracted: boolean;
}

export interface PartyRecordCorrection extends EntryMeta {
  claimId: string;
  version: number;
  reason: string;
  statedAt: PointInTime;
}

export interface PartyRecordRetraction extends EntryMeta {
  claimId: string;
  reason: string;
  statedAt: PointInTime;
}

export interface PartyRecordDenial extends EntryMeta {
  denialId: string;
  claimId: string;
  /** The claimant of the denied claim. */
  claimPartyId: string;
  /** The denying party. */
  partyId: string;
  deniedAssertions: AssertionField[];
  statedAt: PointInTime;
}

export interface PartyIncidentRecord {
  incidentId: string;
  title: string | null;
  claims: PartyRecordClaim[];
  corrections: PartyRecordCorrection[];
  retractions: PartyRecordRetraction[];
  denialsMade: PartyRecordDenial[];
  denialsReceived: PartyRecordDenial[];
}

export interface PartyRecordCounts {
  incidents: number;
  claims: number;
  corrections: number;
  retractions: number;
  denialsMade: number;
  denialsReceived: number;
}

/** "What has this party said across incidents?" Keyed by partyId. */
export interface PartyRecordDoc {
  partyId: string;
  /** False while only other entries name the party; registration facts are then null. */
  registered: boolean;
  name: string | null;
  kind: PartyKind | null;
  affiliation: PartyRegisteredData['affiliation'] | null;
  aliases: string[];
  registeredAt: string | null;
  /** In order of the party's first entry in each incident. */
  incidents: PartyIncidentRecord[];
  counts: PartyRecordCounts;
  lastPosition: string;
}

/** Who is involved in an incident: routes amendments, which name an entry but not its parties. */
interface IncidentIndexDoc {
  incidentId: string;
  title: string | null;
  claims: Record<string, string>;
  denials: Record<string, { partyId: string; claimPartyId: string }>;
  parties: string[];
}

type Doc = PartyRecordDoc | IncidentIndexDoc;

const indexKey = (incidentId: string): string => `${INTERNAL_KEY_PREFIX}incident/${incidentId}`;

const unique = (keys: string[]): string[] => [...new Set(keys)];

const keysOf = (e: LedgerEnvelope, ctx: ProjectionContext<Doc>): string[] => {
  const event = e.event;
  if (event.type === 'PartyRegistered') return [event.data.partyId];
  const incident = indexKey(event.data.incidentId);
  switch (event.type) {
    case 'IncidentReported':
      return [incident];
    case 'ClaimMade':
      return [incident, event.data.partyId];
    case 'ClaimDenied':
      return unique([incident, event.data.partyId, event.data.claimPartyId]);
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      return [event.data.partyId];
    case 'EntryAmended': {
      const index = ctx.get(incident) as IncidentIndexDoc | undefined;
      if (!index) return [];
      const ref = event.data.entry;
      switch (ref.kind) {
        case 'incident':
          return [incident, ...index.parties];
        case 'claim':
        case 'retraction':
          return index.claims[ref.claimId] ? [index.claims[ref.claimId]] : [];
        case 'denial': {
          const denial = index.denials[ref.denialId];
          return denial ? unique([denial.partyId, denial.claimPartyId]) : [];
        }
      }
    }
  }
};

const evolveIndex = (current: IncidentIndexDoc | undefined, event: IncidentEvent): IncidentIndexDoc => {
  const doc: IncidentIndexDoc = current
    ? cloneDocument(current)
    : { incidentId: event.data.incidentId, title: null, claims: {}, denials: {}, parties: [] };
  const involve = (partyId: string) => {
    if (!doc.parties.includes(partyId)) doc.parties.push(partyId);
  };
  switch (event.type) {
    case 'IncidentReported':
      doc.title = event.data.title;
      break;
    case 'ClaimMade':
      doc.claims[event.data.claimId] = event.data.partyId;
      involve(event.data.partyId);
      break;
    case 'ClaimDenied':
      doc.denials[event.data.denialId] = { partyId: event.data.partyId, claimPartyId: event.data.claimPartyId };
      involve(event.data.partyId);
      involve(event.data.claimPartyId);
      break;
    case 'EntryAmended':
      if (event.data.entry.kind === 'incident' && event.data.changes.title !== undefined) doc.title = event.data.changes.title;
      break;
  }
  return doc;
};

const emptyParty = (partyId: string): PartyRecordDoc => ({
  partyId,
  registered: false,
  name: null,
  kind: null,
  affiliation: null,
  aliases: [],
  registeredAt: null,
  incidents: [],
  counts: { incidents: 0, claims: 0, corrections: 0, retractions: 0, denialsMade: 0, denialsReceived: 0 },
  lastPosition: '0',
});

const incidentOf = (doc: PartyRecordDoc, incidentId: string, ctx: ProjectionContext<Doc>): PartyIncidentRecord => {
  let record = doc.incidents.find((i) => i.incidentId === incidentId);
  if (!record) {
    const index = ctx.get(indexKey(incidentId)) as IncidentIndexDoc | undefined;
    record = { incidentId, title: index?.title ?? null, claims: [], corrections: [], retractions: [], denialsMade: [], denialsReceived: [] };
    doc.incidents.push(record);
  }
  return record;
};

const amend = (doc: PartyRecordDoc, record: PartyIncidentRecord, event: Extract<IncidentEvent, { type: 'EntryAmended' }>): void => {
  const { entry: ref, changes } = event.data;
  switch (ref.kind) {
    case 'incident':
      if (changes.title !== undefined) record.title = changes.title;
      return;
    case 'claim': {
      const claim = record.claims.find((c) => c.claimId === ref.claimId);
      if (!claim) return;
      if (changes.statement && ref.version >= claim.statementVersion) {
        claim.statement = changes.statement;
        claim.statementVersion = ref.version;
      }
      if (changes.statedAt) {
        if (ref.version === 1) claim.statedAt = changes.statedAt;
        if (ref.version === claim.version) claim.lastStatedAt = changes.statedAt;
        const correction = record.corrections.find((c) => c.claimId === ref.claimId && c.version === ref.version);
        if (correction) correction.statedAt = changes.statedAt;
      }
      return;
    }
    case 'retraction': {
      const retraction = record.retractions.find((r) => r.claimId === ref.claimId);
      if (!retraction) return;
      if (changes.reason !== undefined) retraction.reason = changes.reason;
      if (changes.statedAt) retraction.statedAt = changes.statedAt;
      return;
    }
    case 'denial':
      for (const denial of [...record.denialsMade, ...record.denialsReceived].filter((d) => d.denialId === ref.denialId)) {
        if (changes.deniedAssertions) denial.deniedAssertions = changes.deniedAssertions;
        if (changes.statedAt) denial.statedAt = changes.statedAt;
      }
      return;
  }
};

const countsOf = (doc: PartyRecordDoc): PartyRecordCounts => ({
  incidents: doc.incidents.length,
  claims: doc.incidents.reduce((n, i) => n + i.claims.length, 0),
  corrections: doc.incidents.reduce((n, i) => n + i.corrections.length, 0),
  retractions: doc.incidents.reduce((n, i) => n + i.retractions.length, 0),
  denialsMade: doc.incidents.reduce((n, i) => n + i.denialsMade.length, 0),
  denialsReceived: doc.incidents.reduce((n, i) => n + i.denialsReceived.length, 0),
});

const evolveParty = (current: PartyRecordDoc | undefined, e: LedgerEnvelope, partyId: string, ctx: ProjectionContext<Doc>): PartyRecordDoc => {
  const doc = current ? cloneDocument(current) : emptyParty(partyId);
  const event = e.event;
  if (event.type === 'PartyRegistered') {
    const { name, kind, affiliation, aliases } = event.data;
    Object.assign(doc, { registered: true, name, kind, affiliation: affiliation ?? null, aliases, registeredAt: e.recordedAt });
  } else {
    const incidentId = event.data.incidentId;
    const existing = doc.incidents.find((i) => i.incidentId === incidentId);
    switch (event.type) {
      case 'ClaimMade': {
        const { claimId, statement, statedAt, answers } = event.data;
        incidentOf(doc, incidentId, ctx).claims.push({
          claimId,
          version: 1,
          statement,
          statementVersion: 1,
          statedAt,
          lastStatedAt: statedAt,
          answers,
          retracted: false,
          ...entryMeta(e),
        });
        break;
      }
      case 'ClaimDenied': {
        const { denialId, claimId, claimPartyId, partyId: denier, deniedAssertions, statedAt } = event.data;
        const denial: PartyRecordDenial = { denialId, claimId, claimPartyId, partyId: denier, deniedAssertions, statedAt, ...entryMeta(e) };
        const record = incidentOf(doc, incidentId, ctx);
        if (denier === partyId) record.denialsMade.push(denial);
        if (claimPartyId === partyId) record.denialsReceived.push({ ...denial });
        break;
      }
      case 'ClaimCorrected': {
        const { claimId, version, reason, statedAt, statement } = event.data;
        const record = incidentOf(doc, incidentId, ctx);
        record.corrections.push({ claimId, version, reason, statedAt, ...entryMeta(e) });
        const claim = record.claims.find((c) => c.claimId === claimId);
        if (claim) {
          claim.version = version;
          claim.lastStatedAt = statedAt;
          if (statement) Object.assign(claim, { statement, statementVersion: version });
        }
        break;
      }
      case 'ClaimRetracted': {
        const { claimId, reason, statedAt } = event.data;
        const record = incidentOf(doc, incidentId, ctx);
        record.retractions.push({ claimId, reason, statedAt, ...entryMeta(e) });
        const claim = record.claims.find((c) => c.claimId === claimId);
        if (claim) claim.retracted = true;
        break;
      }
      case 'EntryAmended':
        if (existing) amend(doc, existing, event);
        break;
      case 'IncidentReported':
        break;
    }
  }
  doc.counts = countsOf(doc);
  doc.lastPosition = e.position.toString();
  return doc;
};

export const partyRecordProjection: DocumentProjection<Doc> = {
  name: 'party-record',
  version: 1,
  keysOf,
  evolve: (doc, e, key, ctx) => {
    if (key.startsWith(INTERNAL_KEY_PREFIX)) return evolveIndex(doc as IncidentIndexDoc | undefined, e.event as IncidentEvent);
    return evolveParty(doc as PartyRecordDoc | undefined, e, key, ctx);
  },
};
