import { IncidentCommand } from '../incidents/incident.commands';
import { PartyCommand } from '../parties/party.commands';
import { partiesReferencedBy } from './assertions';

type LedgerCommand = IncidentCommand | PartyCommand;

/** A command as a handler first builds it, before it has looked up which of the parties it names are registered. */
export type CommandNamingParties = { [T in LedgerCommand['type']]: { type: T; data: Extract<LedgerCommand, { type: T }>['data'] } }[LedgerCommand['type']];

/**
 * The party ids a command names, deduplicated: what a command handler must
 * look up in the party streams to build the command's `knownParties`.
 */
export const partiesNamedIn = (command: CommandNamingParties): string[] => {
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
      ids.push(...partiesReferencedBy({ ...(command.data.changes?.assertions ?? {}), casualties: [...(command.data.changes?.assertions?.casualties ?? []), ...(command.data.changes?.toll ?? [])] }).map((r) => r.partyId));
      break;
    case 'ReportIncident':
      ids.push(...partiesReferencedBy({ casualties: command.data.toll ?? [] }).map((r) => r.partyId));
      break;
    case 'RetractClaim':
      break;
  }
  return [...new Set(ids)];
};
