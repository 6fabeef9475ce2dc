import { PartyRegisteredData } from './party.events';

export interface RegisterParty {
  type: 'RegisterParty';
  data: PartyRegisteredData;
  /** Which of the parties named in `affiliation` are registered; resolved by the caller. */
  knownParties: ReadonlySet<string>;
}

export type PartyCommand = RegisterParty;
