import {
  AssertionField,
  Assertions,
  ClaimDeniedData,
  EntryAmendedData,
  EntryRef,
  IncidentCategory,
  IncidentEvent,
  Place,
  PointInTime,
  Source,
  Statement,
  TimeInterval,
} from '@ledger/domain';
import { ClaimVersionEntry, amendEntry, correctedEntry, madeEntry, resolveCurrent } from '../claim-versions';
import { ActiveDenial, CurrentAccount, Disagreement, PartyAccount, currentAccountOf, findDisagreements } from '../disagreements';
import { EntryMeta, LedgerEnvelope, entryMeta } from '../envelope';
import { DocumentProjection } from '../projection';

/** The incident as the ledger reports it, its own amendments applied. */
export interface IncidentFacts {
  title: string;
  summary: string;
  category: IncidentCategory;
  occurred: TimeInterval;
  location: Place;
  reportedAt: string;
  reportedBy: string;
  amendedBy: string[];
}

export interface DenialRecord extends EntryMeta {
  denialId: string;
  /** The denying party. */
  partyId: string;
  claimId: string;
  claimPartyId: string;
  statement: Statement;
  /** Empty: the claim as a whole. */
  deniedAssertions: AssertionField[];
  statedAt: PointInTime;
  source: Source;
  /** False once the denied claim is retracted: nothing is left to dispute. */
  active: boolean;
  amendedBy: string[];
}

export interface RetractionRecord extends EntryMeta {
  reason: string;
  statement?: Statement;
  statedAt: PointInTime;
  source: Source;
  amendedBy: string[];
}

export interface DenialReceived {
  denialId: string;
  /** The denying party. */
  partyId: string;
  deniedAssertions: AssertionField[];
  statement: Statement;
  statedAt: PointInTime;
  active: boolean;
}

/** A claim in current form: the party's corrections and the ledger's amendments applied. */
export interface PartyClaim {
  claimId: string;
  partyId: string;
  version: number;
  statement: Statement;
  statedAt: PointInTime;
  source: Source;
  assertions: Assertions;
  answers: string[];
  /** When the claim was first made (version 1). */
  firstStatedAt: PointInTime;
  recordedAt: string;
  retracted: boolean;
  retraction: RetractionRecord | null;
  denials: DenialReceived[];
  /** What each version stated, amendments applied; later versions carry only what they replaced. */
  versions: ClaimVersionEntry[];
}

export interface PartyVersion {
  partyId: string;
  claims: PartyClaim[];
  denialsMade: DenialRecord[];
  /** Per assertion field, the value from the party's non-retracted claim stated latest. */
  currentAccount: CurrentAccount;
}

export interface LedgerAmendmentRecord extends EntryMeta {
  amendmentId: string;
  entry: EntryRef;
  reason: string;
  fields: string[];
}

export interface PartyVersionsDoc {
  incidentId: string;
  incident: IncidentFacts | null;
  /** In order of each party's first entry in the incident. */
  parties: PartyVersion[];
  disagreements: Disagreement[];
  amendments: LedgerAmendmentRecord[];
  lastRecordedAt: string;
  lastPosition: string;
  /** Revision of the incident stream's last event. */
  revision: string;
}

const emptyDoc = (incidentId: string): PartyVersionsDoc => ({
  incidentId,
  incident: null,
  parties: [],
  disagreements: [],
  amendments: [],
  lastRecordedAt: '',
  lastPosition: '0',
  revision: '0',
});

const partyOf = (doc: PartyVersionsDoc, partyId: string): PartyVersion => {
  let party = doc.parties.find((p) => p.partyId === partyId);
  if (!party) {
    party = { partyId, claims: [], denialsMade: [], currentAccount: {} };
    doc.parties.push(party);
  }
  return party;
};

const findClaim = (doc: PartyVersionsDoc, claimId: string): PartyClaim | undefined => {
  for (const party of doc.parties) {
    const claim = party.claims.find((c) => c.claimId === claimId);
    if (claim) return claim;
  }
  return undefined;
};

const findDenial = (doc: PartyVersionsDoc, denialId: string): DenialRecord | undefined => {
  for (const party of doc.parties) {
    const denial = party.denialsMade.find((d) => d.denialId === denialId);
    if (denial) return denial;
  }
  return undefined;
};

const denialRecord = (data: ClaimDeniedData, e: LedgerEnvelope): DenialRecord => ({
  denialId: data.denialId,
  partyId: data.partyId,
  claimId: data.claimId,
  claimPartyId: data.claimPartyId,
  statement: data.statement,
  deniedAssertions: data.deniedAssertions,
  statedAt: data.statedAt,
  source: data.source,
  active: true,
  amendedBy: [],
  ...entryMeta(e),
});

const amend = (doc: PartyVersionsDoc, data: EntryAmendedData): void => {
  const { entry, changes, amendmentId } = data;
  switch (entry.kind) {
    case 'incident': {
      if (!doc.incident) return;
      const facts = doc.incident;
      if (changes.title !== undefined) facts.title = changes.title;
      if (changes.summary !== undefined) facts.summary = changes.summary;
      if (changes.category !== undefined) facts.category = changes.category;
      if (changes.occurred !== undefined) facts.occurred = changes.occurred;
      if (changes.location !== undefined) facts.location = changes.location;
      facts.amendedBy.push(amendmentId);
      return;
    }
    case 'claim': {
      const claim = findClaim(doc, entry.claimId);
      if (!claim) return;
      claim.versions = claim.versions.map((v) => (v.version === entry.version ? amendEntry(v, changes, amendmentId) : v));
      return;
    }
    case 'denial': {
      const denial = findDenial(doc, entry.denialId);
      if (!denial) return;
      if (changes.statement) denial.statement = changes.statement;
      if (changes.statedAt) denial.statedAt = changes.statedAt;
      if (changes.source) denial.source = changes.source;
      if (changes.deniedAssertions) denial.deniedAssertions = changes.deniedAssertions;
      denial.amendedBy.push(amendmentId);
      return;
    }
    case 'retraction': {
      const retraction = findClaim(doc, entry.claimId)?.retraction;
      if (!retraction) return;
      if (changes.statement) retraction.statement = changes.statement;
      if (changes.statedAt) retraction.statedAt = changes.statedAt;
      if (changes.source) retraction.source = changes.source;
      if (changes.reason !== undefined) retraction.reason = changes.reason;
      retraction.amendedBy.push(amendmentId);
      return;
    }
  }
};

const denialsOf = (doc: PartyVersionsDoc): DenialRecord[] => doc.parties.flatMap((p) => p.denialsMade);

const resolveClaim = (claim: PartyClaim): void => {
  const current = resolveCurrent(claim.versions);
  claim.version = current.version;
  claim.statement = current.statement;
  claim.statedAt = current.statedAt;
  claim.source = current.source;
  claim.assertions = current.assertions;
  claim.firstStatedAt = claim.versions[0].statedAt;
};

const accountOf = (party: PartyVersion): CurrentAccount =>
  currentAccountOf(
    party.claims
      .filter((c) => !c.retracted)
      .map((c) => ({ claimId: c.claimId, assertions: c.assertions, statedAt: c.statedAt, position: c.versions[c.versions.length - 1].position })),
  );

/**
 * Brings up to date what is a function of the recorded entries: the current
 * form and received denials of the claims an event touched (and whether the
 * denials of those claims still stand), the current accounts of the parties
 * whose claims it touched, and the incident's disagreements. Everything else
 * is unchanged by the event, so the work is proportional to what it touched
 * plus one pass over the incident's parties and denials, not to every claim's
 * history.
 */
const derive = (doc: PartyVersionsDoc, touched: { claims: PartyClaim[]; claimIds: string[]; partyIds: string[] }): void => {
  for (const claim of touched.claims) resolveClaim(claim);
  const allDenials = denialsOf(doc);
  for (const claimId of touched.claimIds) {
    const claim = findClaim(doc, claimId);
    const ofClaim = allDenials.filter((d) => d.claimId === claimId);
    for (const denial of ofClaim) denial.active = !claim?.retracted;
    if (claim) {
      claim.denials = ofClaim.map((d) => ({
        denialId: d.denialId,
        partyId: d.partyId,
        deniedAssertions: d.deniedAssertions,
        statement: d.statement,
        statedAt: d.statedAt,
        active: d.active,
      }));
    }
  }
  for (const partyId of touched.partyIds) {
    const party = doc.parties.find((p) => p.partyId === partyId);
    if (party) party.currentAccount = accountOf(party);
  }
  const accounts: PartyAccount[] = doc.parties.map((party) => ({ partyId: party.partyId, account: party.currentAccount }));
  const active = allDenials.filter((d) => d.active);
  const claims = new Map<string, PartyClaim>();
  if (active.length) for (const party of doc.parties) for (const claim of party.claims) if (!claims.has(claim.claimId)) claims.set(claim.claimId, claim);
  const standing: ActiveDenial[] = active
    .sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1))
    .map((d) => {
      const denied = claims.get(d.claimId);
      const { denialId, partyId, claimId, claimPartyId, deniedAssertions } = d;
      return { denialId, partyId, claimId, claimPartyId, deniedAssertions, ...(denied ? { claimAssertions: denied.assertions } : {}) };
    });
  doc.disagreements = findDisagreements(accounts, standing);
};

const incidentIdOf = (e: LedgerEnvelope): string | undefined =>
  e.event.type === 'PartyRegistered' ? undefined : (e.event as IncidentEvent).data.incidentId;

/** The party-versions fold for one incident, shared with the incident list that summarises it. */
export const evolvePartyVersions = (current: PartyVersionsDoc | undefined, e: LedgerEnvelope): PartyVersionsDoc | undefined => {
  const incidentId = incidentIdOf(e);
  if (incidentId === undefined) return current;
  // Updated in place: the caller owns `current` (see DocumentProjection).
  const doc = current ?? emptyDoc(incidentId);
  const event = e.event as IncidentEvent;
  /** What the event changed that derive() must bring up to date: claims, claims whose denials changed, parties' accounts. */
  const touched = { claims: [] as PartyClaim[], claimIds: [] as string[], partyIds: [] as string[] };
  const touch = (claim: PartyClaim | undefined) => {
    if (!claim) return;
    touched.claims.push(claim);
    touched.claimIds.push(claim.claimId);
    touched.partyIds.push(claim.partyId);
  };
  switch (event.type) {
    case 'IncidentReported': {
      const { title, summary, category, occurred, location } = event.data;
      doc.incident = { title, summary, category, occurred, location, reportedAt: e.recordedAt, reportedBy: e.recordedBy, amendedBy: [] };
      break;
    }
    case 'ClaimMade': {
      const data = event.data;
      const version = madeEntry(data, entryMeta(e));
      const claim: PartyClaim = {
        claimId: data.claimId,
        partyId: data.partyId,
        version: 1,
        statement: data.statement,
        statedAt: data.statedAt,
        source: data.source,
        assertions: data.assertions,
        answers: data.answers,
        firstStatedAt: data.statedAt,
        recordedAt: e.recordedAt,
        retracted: false,
        retraction: null,
        denials: [],
        versions: [version],
      };
      partyOf(doc, data.partyId).claims.push(claim);
      touch(claim);
      break;
    }
    case 'ClaimDenied':
      partyOf(doc, event.data.partyId).denialsMade.push(denialRecord(event.data, e));
      touched.claimIds.push(event.data.claimId);
      break;
    case 'ClaimCorrected': {
      const claim = findClaim(doc, event.data.claimId);
      if (claim) claim.versions.push(correctedEntry(event.data, entryMeta(e)));
      touch(claim);
      break;
    }
    case 'ClaimRetracted': {
      const claim = findClaim(doc, event.data.claimId);
      if (claim) {
        const { reason, statement, statedAt, source } = event.data;
        claim.retracted = true;
        claim.retraction = { reason, ...(statement ? { statement } : {}), statedAt, source, amendedBy: [], ...entryMeta(e) };
      }
      touch(claim);
      break;
    }
    case 'EntryAmended': {
      const ref = event.data.entry;
      amend(doc, event.data);
      if (ref.kind === 'claim') touch(findClaim(doc, ref.claimId));
      if (ref.kind === 'denial') {
        const denial = findDenial(doc, ref.denialId);
        if (denial) touched.claimIds.push(denial.claimId);
      }
      doc.amendments.push({
        amendmentId: event.data.amendmentId,
        entry: event.data.entry,
        reason: event.data.reason,
        fields: Object.keys(event.data.changes),
        ...entryMeta(e),
      });
      break;
    }
  }
  derive(doc, touched);
  doc.lastRecordedAt = e.recordedAt;
  doc.lastPosition = e.position.toString();
  doc.revision = e.revision.toString();
  return doc;
};

/** "What is each party's version of this incident, and where do the versions disagree?" Keyed by incidentId. */
export const partyVersionsProjection: DocumentProjection<PartyVersionsDoc> = {
  name: 'party-versions',
  version: 1,
  keysOf: (e) => {
    const incidentId = incidentIdOf(e);
    return incidentId === undefined ? [] : [incidentId];
  },
  evolve: (doc, e) => evolvePartyVersions(doc, e),
};
