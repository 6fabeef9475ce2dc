import type { NameOf } from './who-says-what';

/** A ledger event as the live feed delivers it (a CloudEvent): its type and the event's own data. */
export interface FeedEvent {
  type?: string;
  data?: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `dev.incident-ledger.ClaimMade.v1` -> `ClaimMade`. */
export const eventName = (type: string | undefined): string => (type ?? 'event').replace(/^dev\.incident-ledger\./, '').replace(/\.v\d+$/, '');

/**
 * A feed event in words, parties by name: what the page says arrived. Names are looked up when shown, so a party
 * registered after the event arrived is named as soon as the page learns its name.
 */
export const describeFeedEvent = (event: FeedEvent, nameOf: NameOf): string => {
  const d = event.data ?? {};
  const party = str(d.partyId) ? nameOf(str(d.partyId)!) : 'a party';
  switch (eventName(event.type)) {
    case 'ClaimMade':
      return `${party} made a claim${str((d.statement as { text?: unknown } | undefined)?.text) ? `: “${str((d.statement as { text: string }).text)!.slice(0, 80)}”` : ''}`;
    case 'ClaimDenied': {
      const denied = Array.isArray(d.deniedAssertions) && d.deniedAssertions.length > 0 ? ` on ${(d.deniedAssertions as string[]).join(', ')}` : '';
      return `${party} denied ${str(d.claimPartyId) ? `${nameOf(str(d.claimPartyId)!)}'s` : 'a'} claim${denied}`;
    }
    case 'ClaimCorrected':
      return `${party} corrected its claim${typeof d.version === 'number' ? ` (now version ${d.version})` : ''}${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'ClaimRetracted':
      return `${party} retracted its claim${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'SourceGraded':
      return `a recorder graded a claim's source ${str(d.reliability) ?? ''}${typeof d.credibility === 'number' ? d.credibility : ''}${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'EntryAmended':
      return `the ledger amended an entry${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'IncidentReported':
      return `incident reported${str(d.title) ? `: ${str(d.title)}` : ''}`;
    case 'PartyRegistered':
      return `${str(d.name) ?? party} registered`;
    default:
      return eventName(event.type);
  }
};

/** The parties an event names, so the page can make sure it knows their names. */
export const partiesOf = (event: FeedEvent): string[] =>
  [event.data?.partyId, event.data?.claimPartyId].filter((v): v is string => typeof v === 'string');
