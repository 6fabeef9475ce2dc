/** Stream names follow EventStoreDB's category convention: `<category>-<id>`. */
export const INCIDENT_CATEGORY = 'incident';
export const PARTY_CATEGORY = 'party';

export const incidentStream = (incidentId: string): string => `${INCIDENT_CATEGORY}-${incidentId}`;
export const partyStream = (partyId: string): string => `${PARTY_CATEGORY}-${partyId}`;

export const LEDGER_STREAM_PREFIXES = [`${INCIDENT_CATEGORY}-`, `${PARTY_CATEGORY}-`] as const;

/** The streams that hold what parties said (the Merkle tree's leaves, what projections and feeds read); the ledger's own bookkeeping streams are not among them. */
export const isLedgerStreamName = (streamName: string): boolean => LEDGER_STREAM_PREFIXES.some((prefix) => streamName.startsWith(prefix));
