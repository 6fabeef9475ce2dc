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
import { DocumentProjection, cloneDocument } from '../projection';

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

/** Recomputes everything that is a function of the recorded entries: current forms, links, accounts, disagreements. */
const derive = (doc: PartyVersionsDoc): void => {
  const allDenials = doc.parties.flatMap((p) => p.denialsMade);
  for (const party of doc.parties) {
    for (const claim of party.claims) {
      const current = resolveCurrent(claim.versions);
      claim.version = current.version;
      claim.statement = current.statement;
      claim.statedAt = current.statedAt;
      claim.source = current.source;
      claim.assertions = current.assertions;
      claim.firstStatedAt = claim.versions[0].statedAt;
    }
  }
  const claims = doc.parties.flatMap((p) => p.claims);
  for (const denial of allDenials) {
    const denied = claims.find((c) => c.claimId === denial.claimId);
    denial.active = !denied?.retracted;
  }
  for (const claim of claims) {
    claim.denials = allDenials
      .filter((d) => d.claimId === claim.claimId)
      .map((d) => ({
        denialId: d.denialId,
        partyId: d.partyId,
        deniedAssertions: d.deniedAssertions,
        statement: d.statement,
        statedAt: d.statedAt,
        active: d.active,
      }));
  }
  const accounts: PartyAccount[] = doc.parties.map((party) => {
    party.currentAccount = currentAccountOf(
      party.claims
        .filter((c) => !c.retracted)
        .map((c) => ({ claimId: c.claimId, assertions: c.assertions, statedAt: c.statedAt, position: c.versions[c.versions.length - 1].position })),
    );
    return { partyId: party.partyId, account: party.currentAccount };
  });
  const active: ActiveDenial[] = allDenials
    .filter((d) => d.active)
    .sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1))
    .map((d) => {
      const denied = claims.find((c) => c.claimId === d.claimId);
      const { denialId, partyId, claimId, claimPartyId, deniedAssertions } = d;
      return { denialId, partyId, claimId, claimPartyId, deniedAssertions, ...(denied ? { claimAssertions: denied.assertions } : {}) };
    });
  doc.disagreements = findDisagreements(accounts, active);
};

const incidentIdOf = (e: LedgerEnvelope): string | undefined =>
  e.event.type === 'PartyRegistered' ? undefined : (e.event as IncidentEvent).data.incidentId;

/** The party-versions fold for one incident, shared with the incident list that summarises it. */
export const evolvePartyVersions = (current: PartyVersionsDoc | undefined, e: LedgerEnvelope): PartyVersionsDoc | undefined => {
  const incidentId = incidentIdOf(e);
  if (incidentId === undefined) return current;
  const doc = current ? cloneDocument(current) : emptyDoc(incidentId);
  const event = e.event as IncidentEvent;
  switch (event.type) {
    case 'IncidentReported': {
      const { title, summary, category, occurred, location } = event.data;
      doc.incident = { title, summary, category, occurred, location, reportedAt: e.recordedAt, reportedBy: e.recordedBy, amendedBy: [] };
      break;
    }
    case 'ClaimMade': {
      const data = event.data;
      const version = madeEntry(data, entryMeta(e));
      partyOf(doc, data.partyId).claims.push({
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
      });
      break;
    }
    case 'ClaimDenied':
      partyOf(doc, event.data.partyId).denialsMade.push(denialRecord(event.data, e));
      break;
    case 'ClaimCorrected': {
      const claim = findClaim(doc, event.data.claimId);
      if (claim) claim.versions.push(correctedEntry(event.data, entryMeta(e)));
      break;
    }
    case 'ClaimRetracted': {
      const claim = findClaim(doc, event.data.claimId);
      if (claim) {
        const { reason, statement, statedAt, source } = event.data;
        claim.retracted = true;
        claim.retraction = { reason, ...(statement ? { statement } : {}), statedAt, source, amendedBy: [], ...entryMeta(e) };
      }
      break;
    }
    case 'EntryAmended':
      amend(doc, event.data);
      doc.amendments.push({
        amendmentId: event.data.amendmentId,
        entry: event.data.entry,
        reason: event.data.reason,
        fields: Object.keys(event.data.changes),
        ...entryMeta(e),
      });
      break;
  }
  derive(doc);
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
