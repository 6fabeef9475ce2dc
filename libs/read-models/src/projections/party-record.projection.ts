import { AssertionField, IncidentEvent, PartyKind, PartyRegisteredData, PointInTime, Statement } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { DocumentProjection, INTERNAL_KEY_PREFIX, ProjectionContext } from '../projection';

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

/** "What has this party said across incidents?" Keyed by partyId. The document clients see, assembled from the stored parts below. */
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

/**
 * What is stored under the party's key: the record without its incidents,
 * which live one per internal document (`~party/<partyId>/<incidentId>`), so
 * that an entry rewrites the party's facts and one incident's record however
 * many incidents and claims the party has.
 */
export type PartyHeadDoc = Omit<PartyRecordDoc, 'incidents' | 'counts'>;

/** One incident of a party's record, with the position of the party's first entry in it (which orders the incidents). */
export interface PartyIncidentPart {
  partyId: string;
  firstPosition: string;
  record: PartyIncidentRecord;
}

/** Who is involved in an incident: routes amendments, which name an entry but not its parties. */
interface IncidentIndexDoc {
  incidentId: string;
  title: string | null;
  claims: Record<string, string>;
  denials: Record<string, { partyId: string; claimPartyId: string }>;
  parties: string[];
}

type Doc = PartyRecordDoc | PartyHeadDoc | PartyIncidentPart | IncidentIndexDoc;

const indexKey = (incidentId: string): string => `${INTERNAL_KEY_PREFIX}incident/${incidentId}`;
const PART_PREFIX = `${INTERNAL_KEY_PREFIX}party/`;
const partsPrefix = (partyId: string): string => `${PART_PREFIX}${partyId}/`;
const partKey = (partyId: string, incidentId: string): string => `${partsPrefix(partyId)}${incidentId}`;

/** The party's part of the incident, then the party's own document. */
const partyKeys = (partyId: string, incidentId: string): string[] => [partKey(partyId, incidentId), partyId];

const keysOf = (e: LedgerEnvelope, ctx: ProjectionContext<Doc>): string[] => {
  const event = e.event;
  if (event.type === 'PartyRegistered') return [event.data.partyId];
  const incidentId = event.data.incidentId;
  const incident = indexKey(incidentId);
  switch (event.type) {
    case 'IncidentReported':
      return [incident];
    case 'ClaimMade':
      return [incident, ...partyKeys(event.data.partyId, incidentId)];
    case 'ClaimDenied':
      return [
        incident,
        ...[...new Set([event.data.partyId, event.data.claimPartyId])].flatMap((partyId) => partyKeys(partyId, incidentId)),
      ];
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      return partyKeys(event.data.partyId, incidentId);
    case 'EntryAmended': {
      const index = ctx.get(incident) as IncidentIndexDoc | undefined;
      if (!index) return [];
      const ref = event.data.entry;
      switch (ref.kind) {
        case 'incident':
          return [incident, ...index.parties.flatMap((partyId) => partyKeys(partyId, incidentId))];
        case 'claim':
        case 'retraction': {
          const partyId = index.claims[ref.claimId];
          return partyId ? partyKeys(partyId, incidentId) : [];
        }
        case 'denial': {
          const denial = index.denials[ref.denialId];
          return denial ? [...new Set([denial.partyId, denial.claimPartyId])].flatMap((partyId) => partyKeys(partyId, incidentId)) : [];
        }
      }
    }
  }
};

const evolveIndex = (current: IncidentIndexDoc | undefined, event: IncidentEvent): IncidentIndexDoc => {
  const doc: IncidentIndexDoc = current ?? { incidentId: event.data.incidentId, title: null, claims: {}, denials: {}, parties: [] };
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

const emptyHead = (partyId: string): PartyHeadDoc => ({
  partyId,
  registered: false,
  name: null,
  kind: null,
  affiliation: null,
  aliases: [],
  registeredAt: null,
  lastPosition: '0',
});

const amend = (record: PartyIncidentRecord, event: Extract<IncidentEvent, { type: 'EntryAmended' }>): void => {
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

/** The party's record of one incident; only this incident's entries are read or written. */
const evolvePart = (
  current: PartyIncidentPart | undefined,
  e: LedgerEnvelope,
  partyId: string,
  ctx: ProjectionContext<Doc>,
): PartyIncidentPart | undefined => {
  const event = e.event as IncidentEvent;
  if (event.type === 'IncidentReported') return current;
  if (event.type === 'EntryAmended') {
    // An amendment fixes what is recorded; it never makes a party part of an incident.
    if (current) amend(current.record, event);
    return current;
  }
  const incidentId = event.data.incidentId;
  const part: PartyIncidentPart = current ?? {
    partyId,
    firstPosition: e.position.toString(),
    record: {
      incidentId,
      title: (ctx.get(indexKey(incidentId)) as IncidentIndexDoc | undefined)?.title ?? null,
      claims: [],
      corrections: [],
      retractions: [],
      denialsMade: [],
      denialsReceived: [],
    },
  };
  const record = part.record;
  switch (event.type) {
    case 'ClaimMade': {
      const { claimId, statement, statedAt, answers } = event.data;
      record.claims.push({
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
      if (denier === partyId) record.denialsMade.push(denial);
      if (claimPartyId === partyId) record.denialsReceived.push({ ...denial });
      break;
    }
    case 'ClaimCorrected': {
      const { claimId, version, reason, statedAt, statement } = event.data;
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
      record.retractions.push({ claimId, reason, statedAt, ...entryMeta(e) });
      const claim = record.claims.find((c) => c.claimId === claimId);
      if (claim) claim.retracted = true;
      break;
    }
  }
  return part;
};

/** The party's own facts; every entry naming the party moves its position. */
const evolveHead = (current: PartyHeadDoc | undefined, e: LedgerEnvelope, partyId: string): PartyHeadDoc => {
  const doc = current ?? emptyHead(partyId);
  const event = e.event;
  if (event.type === 'PartyRegistered') {
    const { name, kind, affiliation, aliases } = event.data;
    Object.assign(doc, { registered: true, name, kind, affiliation: affiliation ?? null, aliases, registeredAt: e.recordedAt });
  }
  doc.lastPosition = e.position.toString();
  return doc;
};

const comparePositions = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** The record clients see: the party's facts, its incidents in order of its first entry in each, and what they add up to. */
export const assemblePartyRecord = (head: PartyHeadDoc, parts: PartyIncidentPart[]): PartyRecordDoc => {
  const incidents = [...parts].sort((a, b) => comparePositions(a.firstPosition, b.firstPosition)).map((p) => p.record);
  const total = (of: (i: PartyIncidentRecord) => unknown[]) => incidents.reduce((n, i) => n + of(i).length, 0);
  const { partyId, registered, name, kind, affiliation, aliases, registeredAt, lastPosition } = head;
  return {
    partyId,
    registered,
    name,
    kind,
    affiliation,
    aliases,
    registeredAt,
    incidents,
    counts: {
      incidents: incidents.length,
      claims: total((i) => i.claims),
      corrections: total((i) => i.corrections),
      retractions: total((i) => i.retractions),
      denialsMade: total((i) => i.denialsMade),
      denialsReceived: total((i) => i.denialsReceived),
    },
    lastPosition,
  };
};

/**
 * Stored in parts: the party's facts under its id, one document per incident
 * the party took part in, and an internal index per incident; clients get the
 * assembled PartyRecordDoc. Version 2: the parts (version 1 kept one document
 * per party, rewritten whole on every entry).
 */
export const partyRecordProjection: DocumentProjection<Doc> = {
  name: 'party-record',
  version: 2,
  keysOf,
  evolve: (doc, e, key, ctx) => {
    if (key.startsWith(PART_PREFIX)) return evolvePart(doc as PartyIncidentPart | undefined, e, key.slice(PART_PREFIX.length, key.lastIndexOf('/')), ctx);
    if (key.startsWith(INTERNAL_KEY_PREFIX)) return evolveIndex(doc as IncidentIndexDoc | undefined, e.event as IncidentEvent);
    return evolveHead(doc as PartyHeadDoc | undefined, e, key);
  },
  parts: {
    prefixOf: partsPrefix,
    assemble: (head, parts) => assemblePartyRecord(head as PartyHeadDoc, parts as PartyIncidentPart[]),
  },
};
