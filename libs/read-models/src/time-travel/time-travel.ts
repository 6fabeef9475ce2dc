import { IncidentEvent } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { foldProjection } from '../projection';
import { ClaimHistoryDoc, claimHistoryProjection } from '../projections/claim-history.projection';
import { PartyVersionsDoc, partyVersionsProjection } from '../projections/party-versions.projection';
import { AsOf, envelopesAsOf } from './as-of';

/**
 * The events about one incident. Both read models below key everything they
 * keep by ids scoped to the incident, so dropping other incidents' events
 * (and the party registry, which neither reads) before the fold changes
 * nothing but the cost.
 */
export const incidentEnvelopes = (envelopes: Iterable<LedgerEnvelope>, incidentId: string): LedgerEnvelope[] => {
  const out: LedgerEnvelope[] = [];
  for (const e of envelopes) if (e.event.type !== 'PartyRegistered' && (e.event as IncidentEvent).data.incidentId === incidentId) out.push(e);
  return out;
};

/** The incident's envelopes as of `asOf` (all of them without one). */
export const incidentEnvelopesAsOf = (envelopes: Iterable<LedgerEnvelope>, incidentId: string, asOf?: AsOf): LedgerEnvelope[] => {
  const own = incidentEnvelopes(envelopes, incidentId);
  return asOf ? envelopesAsOf(own, asOf) : own;
};

/**
 * Each party's version of the incident and the disagreements as of `asOf`:
 * the party-versions projection folded over the log up to that moment.
 * Undefined when nothing of the incident is in by then. On the stated clock
 * the incident is always there once reported (see envelopesAsOf), possibly
 * with no party versions yet.
 */
export function partyVersionsAsOf(envelopes: Iterable<LedgerEnvelope>, incidentId: string, asOf: AsOf): PartyVersionsDoc | undefined {
  return foldProjection(partyVersionsProjection, incidentEnvelopesAsOf(envelopes, incidentId, asOf)).get(incidentId);
}

/**
 * The claim's history as of `asOf` (now without one): the claim-history
 * projection folded over the log up to that moment. Undefined when the claim
 * was not made by then, or belongs to another incident.
 */
export function claimHistoryAsOf(envelopes: Iterable<LedgerEnvelope>, incidentId: string, claimId: string, asOf?: AsOf): ClaimHistoryDoc | undefined {
  const doc = foldProjection(claimHistoryProjection, incidentEnvelopesAsOf(envelopes, incidentId, asOf)).get(claimId) as ClaimHistoryDoc | undefined;
  return doc?.incidentId === incidentId ? doc : undefined;
}

/** Global position of the last envelope in, as a decimal string ('0' when none): the log position an as-of answer corresponds to. */
export const lastPositionOf = (envelopes: readonly LedgerEnvelope[]): string => {
  let last = 0n;
  for (const e of envelopes) if (e.position > last) last = e.position;
  return last.toString();
};
