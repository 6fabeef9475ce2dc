import { IncidentCommand } from '../incidents/incident.commands';
import { PartyCommand } from '../parties/party.commands';
import { partiesReferencedBy } from './assertions';

/**
 * The party ids a command names, deduplicated: what a command handler must
 * look up in the party streams to build the command's `knownParties`.
 */
export const partiesNamedIn = (command: IncidentCommand | PartyCommand): string[] => {
  const ids: string[] = [];
  switch (command.type) {
    case 'RegisterParty':
      if (command.data.affiliation?.partyId !== undefined) ids.push(command.data.affiliation.partyId);
      break;
    case 'MakeClaim':
      ids.push(command.data.partyId, ...partiesReferencedBy(command.data.assertions ?? {}).map((r) => r.partyId));
      break;
    case 'DenyClaim':
      ids.push(command.data.partyId);
      break;
    case 'CorrectClaim':
      ids.push(command.data.partyId, ...partiesReferencedBy(command.data.assertions ?? {}).map((r) => r.partyId));
      break;
    case 'AmendEntry':
      ids.push(...partiesReferencedBy(command.data.changes?.assertions ?? {}).map((r) => r.partyId));
      break;
    case 'ReportIncident':
    case 'RetractClaim':
      break;
  }
  return [...new Set(ids)];
};
