import {
  Assertions,
  fromStored,
  INCIDENT_CATEGORY,
  LedgerEvent,
  PARTY_CATEGORY,
  partiesReferencedBy,
} from '@ledger/domain';

/**
 * Which parties an event is "of or about", as the feeds' `party` filter and party-scoped tokens understand it.
 *
 * An event concerns party P when it names P in any party field, or touches an entry that P made:
 * - a party stream event of P (`party-P`), and a PartyRegistered whose affiliation is P;
 * - an incident event whose `partyId` is P (P made, corrected or retracted the claim, or P is the denier);
 * - a ClaimDenied whose denied claim is P's (`claimPartyId`): a denial by Q of P's claim concerns both P and Q;
 * - a ClaimMade, ClaimCorrected or EntryAmended whose assertions name P (responsible parties, ceasefire violators,
 *   casualty sides: see partiesReferencedBy);
 * - a ClaimMade that answers a claim of P (`answers`);
 * - an EntryAmended that fixes an entry of P: P's claim or retraction, or a denial that P gave or received.
 * IncidentReported concerns no party (an incident-scoped reader sees it; a party-scoped one does not).
 *
 * The last two need the owners of other entries of the same incident, which the event does not carry: they are
 * returned as references for ClaimOwners to resolve.
 */
export interface PartyRefs {
  /** Party ids the event names itself. */
  named: string[];
  /** Claims of the same incident whose claimant the event also concerns. */
  claims: string[];
  /** Denials of the same incident whose denier and denied claimant the event also concerns. */
  denials: string[];
}

const NONE: PartyRefs = Object.freeze({ named: [], claims: [], denials: [] }) as PartyRefs;

const INCIDENT_PREFIX = `${INCIDENT_CATEGORY}-`;
const PARTY_PREFIX = `${PARTY_CATEGORY}-`;

/** The incident an event belongs to (from its stream), lower-cased as token scopes are; undefined for party streams. */
export const incidentIdOf = (streamName: string): string | undefined =>
  streamName.startsWith(INCIDENT_PREFIX) ? streamName.slice(INCIDENT_PREFIX.length).toLowerCase() : undefined;

const str = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Assertions can arrive malformed from outside the API (the store accepts any JSON): never let that throw. */
const assertionParties = (assertions: Assertions | undefined): string[] => {
  if (!assertions || typeof assertions !== 'object') return [];
  try {
    return partiesReferencedBy(assertions)
      .map((ref) => ref.partyId)
      .filter(str);
  } catch {
    return [];
  }
};

export const partyRefsOf = (streamName: string, storedType: string, data: unknown): PartyRefs => {
  if (streamName.startsWith(PARTY_PREFIX)) {
    const affiliation = (data as { affiliation?: { partyId?: unknown } } | null)?.affiliation?.partyId;
    return { named: [streamName.slice(PARTY_PREFIX.length), ...(str(affiliation) ? [affiliation] : [])], claims: [], denials: [] };
  }
  if (!streamName.startsWith(INCIDENT_PREFIX) || data === null || typeof data !== 'object') return NONE;
  let event: LedgerEvent;
  try {
    event = fromStored(storedType, data);
  } catch {
    return NONE;
  }
  switch (event.type) {
    case 'IncidentReported':
      return NONE;
    case 'ClaimMade':
      return {
        named: [event.data.partyId, ...assertionParties(event.data.assertions)].filter(str),
        claims: Array.isArray(event.data.answers) ? event.data.answers.filter(str) : [],
        denials: [],
      };
    case 'ClaimDenied':
      return { named: [event.data.partyId, event.data.claimPartyId].filter(str), claims: [], denials: [] };
    case 'ClaimCorrected':
      return { named: [event.data.partyId, ...assertionParties(event.data.assertions)].filter(str), claims: [], denials: [] };
    case 'ClaimRetracted':
      return { named: [event.data.partyId].filter(str), claims: [], denials: [] };
    case 'EntryAmended': {
      const entry = event.data.entry as { kind?: unknown; claimId?: unknown; denialId?: unknown } | undefined;
      const named = assertionParties(event.data.changes?.assertions);
      if ((entry?.kind === 'claim' || entry?.kind === 'retraction') && str(entry.claimId)) return { named, claims: [entry.claimId], denials: [] };
      if (entry?.kind === 'denial' && str(entry.denialId)) return { named, claims: [], denials: [entry.denialId] };
      return { named, claims: [], denials: [] };
    }
    // A grade concerns the graded claim, and so its claimant (found through the claim, as amendments of a claim are).
    case 'SourceGraded':
      return str(event.data.claimId) ? { named: [], claims: [event.data.claimId], denials: [] } : NONE;
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
      return { named: [], claims: Array.isArray(event.data.claimIds) ? event.data.claimIds.filter(str) : [], denials: [] };
    case 'PartyRegistered':
    case 'IncidentMergedInto':
    case 'IncidentsMerged':
      return NONE;
  }
};
