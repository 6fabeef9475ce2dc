import { DomainEvent } from '../shared/decider';

export const PARTY_KINDS = [
  'state',
  'government-body',
  'armed-force',
  'armed-group',
  'mediator',
  'media',
  'ngo',
  'individual',
] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export interface PartyRegisteredData {
  /** A slug: lowercase letters, digits and hyphens; also the stream id. */
  partyId: string;
  name: string;
  kind: PartyKind;
  /** The party this one belongs to or is backed by, with the wording used (e.g. "Armenian-backed"). */
  affiliation?: { partyId?: string; description: string };
  aliases: string[];
}

export type PartyRegistered = DomainEvent<'PartyRegistered', PartyRegisteredData>;
export type PartyEvent = PartyRegistered;
