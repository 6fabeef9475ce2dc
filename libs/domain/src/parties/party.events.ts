import { DomainEvent } from '../shared/decider';

/** The kinds PartyRegistered.v1 knew; every one of them is still a kind. */
export const PARTY_KINDS_V1 = ['state', 'government-body', 'armed-force', 'armed-group', 'mediator', 'media', 'ngo', 'individual'] as const;
export type PartyKindV1 = (typeof PARTY_KINDS_V1)[number];

/**
 * Who speaks about incidents, beyond states and their forces: a state-owned
 * manufacturer is a company, an international criminal investigation an
 * investigative body, a court a court or tribunal (none of them is a
 * mediator or an individual).
 */
export const PARTY_KINDS = [
  // The v1 kinds, written out: the schema generator reads the list as a literal.
  'state',
  'government-body',
  'armed-force',
  'armed-group',
  'mediator',
  'media',
  'ngo',
  'individual',
  'company',
  'international-organisation',
  'investigative-body',
  'court-or-tribunal',
  'intelligence-service',
] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** PartyRegistered.v1 as stored. */
export interface PartyRegisteredV1Data {
  /** A slug: lowercase letters, digits and hyphens; also the stream id. */
  partyId: string;
  name: string;
  kind: PartyKindV1;
  /** The party this one belongs to or is backed by, with the wording used (e.g. "Armenian-backed"). */
  affiliation?: { partyId?: string; description: string };
  aliases: string[];
}

/** PartyRegistered.v2: more kinds, and a free description. */
export interface PartyRegisteredData extends Omit<PartyRegisteredV1Data, 'kind'> {
  kind: PartyKind;
  /** Who the party is, in the recorder's words (e.g. "state-owned missile manufacturer"). */
  description?: string;
}

export type PartyRegistered = DomainEvent<'PartyRegistered', PartyRegisteredData>;
export type PartyEvent = PartyRegistered;
