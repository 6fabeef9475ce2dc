/** Stream names follow EventStoreDB's category convention: `<category>-<id>`. */
export const INCIDENT_CATEGORY = 'incident';
export const PARTY_CATEGORY = 'party';

export const incidentStream = (incidentId: string): string => `${INCIDENT_CATEGORY}-${incidentId}`;
export const partyStream = (partyId: string): string => `${PARTY_CATEGORY}-${partyId}`;

export const LEDGER_STREAM_PREFIXES = [`${INCIDENT_CATEGORY}-`, `${PARTY_CATEGORY}-`] as const;
