import { NON_PARTY_SIDES } from '../incidents/incident.events';
import { Decider } from '../shared/decider';
import { unhandled } from '../shared/exhaustive';
import { DomainError } from '../shared/domain-error';
import { requireKnownParty, requireText } from '../shared/validation';
import { PartyCommand, RegisterParty } from './party.commands';
import { PartyEvent, PartyRegisteredData } from './party.events';

export interface PartyState {
  registered: boolean;
  party?: PartyRegisteredData;
}

export const PARTY_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const PARTY_ID_LENGTH = { min: 2, max: 80 } as const;

/**
 * Aliases are normalised rather than refused: trimmed, blanks dropped,
 * duplicates (case-insensitive, first spelling kept) and repeats of the name
 * removed. Recorders paste aliases from sources; a repeat is noise, not an error.
 */
export const normaliseAliases = (name: string, aliases: readonly string[]): string[] => {
  const seen = new Set([name.trim().toLowerCase()]);
  const result: string[] = [];
  for (const raw of aliases) {
    const alias = raw.trim();
    const key = alias.toLowerCase();
    if (alias === '' || seen.has(key)) continue;
    seen.add(key);
    result.push(alias);
  }
  return result;
};

const registerParty = ({ data, knownParties }: RegisterParty, state: PartyState): PartyEvent[] => {
  const { partyId } = data;
  if (
    typeof partyId !== 'string' ||
    partyId.length < PARTY_ID_LENGTH.min ||
    partyId.length > PARTY_ID_LENGTH.max ||
    !PARTY_ID_PATTERN.test(partyId)
  ) {
    throw new DomainError(
      'invalid-party-id',
      `partyId must be ${PARTY_ID_LENGTH.min}-${PARTY_ID_LENGTH.max} lowercase letters, digits and single hyphens`,
      'rule',
      'partyId',
    );
  }
  if ((NON_PARTY_SIDES as readonly string[]).includes(partyId)) {
    throw new DomainError('reserved-party-id', `"${partyId}" is a casualty side, not a party`, 'rule', 'partyId');
  }
  if (state.registered) {
    throw new DomainError('party-already-registered', `party "${partyId}" is already registered`, 'conflict', 'partyId');
  }
  requireText(data.name, 'name');
  if (data.description !== undefined) requireText(data.description, 'description');

  const affiliation = data.affiliation;
  if (affiliation) {
    requireText(affiliation.description, 'affiliation.description');
    if (affiliation.partyId !== undefined) {
      if (affiliation.partyId === partyId) {
        throw new DomainError('unknown-party', 'a party cannot be affiliated with itself', 'rule', 'affiliation.partyId');
      }
      requireKnownParty(affiliation.partyId, knownParties, 'affiliation.partyId');
    }
  }

  const name = data.name.trim();
  return [
    {
      type: 'PartyRegistered',
      data: {
        partyId,
        name,
        kind: data.kind,
        ...(data.description !== undefined && { description: data.description.trim() }),
        ...(affiliation && {
          affiliation: {
            ...(affiliation.partyId !== undefined && { partyId: affiliation.partyId }),
            description: affiliation.description.trim(),
          },
        }),
        aliases: normaliseAliases(name, data.aliases ?? []),
      },
    },
  ];
};

export const partyDecider: Decider<PartyState, PartyCommand, PartyEvent> = {
  initialState: () => ({ registered: false }),
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterParty':
        return registerParty(command, state);
    }
  },
  // One kind of party event so far: a second one makes `event.type` no longer `never` below, which fails tsc.
  evolve: (_state, event) => (event.type === 'PartyRegistered' ? { registered: true, party: event.data } : unhandled(event.type, 'party event')),
};
