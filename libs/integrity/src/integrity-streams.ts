/**
 * The streams the ledger keeps about itself, beside the ledger streams (`incident-`, `party-`) that the Merkle tree
 * covers. Their stored type names are versioned like the domain's; they are not domain events, so they live here
 * rather than in the domain registry, and no projection reads them.
 */
export const CHECKPOINT_STREAM = 'integrity-checkpoints';
export const CHECKPOINT_SIGNED_TYPE = 'CheckpointSigned.v1';

export const ACCESS_LOG_STREAM = 'audit-access';
export const AUDITED_READ_TYPE = 'AuditedReadRecorded.v1';
