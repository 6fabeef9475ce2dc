import { Assertions, partiesReferencedBy } from '@ledger/domain';

/** Every party id a claim-side command names, for the PartyDirectory lookup. */
export const partyIdsIn = (partyId: string, assertions?: Assertions): string[] => [
  partyId,
  ...(assertions ? partiesReferencedBy(assertions).map((r) => r.partyId) : []),
];
