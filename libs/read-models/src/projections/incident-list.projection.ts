import { IncidentCategory, Place, TimeInterval } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { DocumentProjection, INTERNAL_KEY_PREFIX } from '../projection';
import { InstantRange, instantRange } from '../time-range';
import { PartyVersionsDoc, evolvePartyVersions, partyVersionsProjection } from './party-versions.projection';

export interface IncidentCounts {
  claims: number;
  /** Claims not retracted. */
  activeClaims: number;
  denials: number;
  corrections: number;
  retractions: number;
  /** Ledger amendments of any entry of the incident. */
  amendments: number;
}

/** One row of the dashboards' incident list. Keyed by incidentId. */
export interface IncidentListItem {
  incidentId: string;
  title: string;
  summary: string;
  category: IncidentCategory;
  occurred: TimeInterval;
  /** `occurred` as UTC instants, date-only bounds widened to whole days; what date filters and ordering use. */
  occurredRange: InstantRange;
  location: Place;
  /** Recorded time of IncidentReported. */
  reportedAt: string;
  /** Parties that made, corrected, retracted or denied claims, sorted. */
  partyIds: string[];
  counts: IncidentCounts;
  /** True when the parties' versions disagree anywhere (see party-versions' disagreements). */
  contested: boolean;
  disagreementCount: number;
  lastRecordedAt: string;
  lastPosition: string;
  revision: string;
}

/**
 * The list is a summary of the party-versions fold, which it keeps as an
 * internal document of its own so that the two read models stay independent
 * (each can be rebuilt, versioned and dropped alone).
 */
type IncidentListDoc = IncidentListItem | PartyVersionsDoc;

const stateKey = (incidentId: string): string => `${INTERNAL_KEY_PREFIX}versions/${incidentId}`;

export const toIncidentListItem = (pv: PartyVersionsDoc): IncidentListItem | undefined => {
  if (!pv.incident) return undefined;
  const claims = pv.parties.flatMap((p) => p.claims);
  const { title, summary, category, occurred, location, reportedAt } = pv.incident;
  return {
    incidentId: pv.incidentId,
    title,
    summary,
    category,
    occurred,
    occurredRange: instantRange(occurred),
    location,
    reportedAt,
    partyIds: pv.parties.map((p) => p.partyId).sort(),
    counts: {
      claims: claims.length,
      activeClaims: claims.filter((c) => !c.retracted).length,
      denials: pv.parties.reduce((n, p) => n + p.denialsMade.length, 0),
      corrections: claims.reduce((n, c) => n + c.versions.length - 1, 0),
      retractions: claims.filter((c) => c.retracted).length,
      amendments: pv.amendments.length,
    },
    contested: pv.disagreements.length > 0,
    disagreementCount: pv.disagreements.length,
    lastRecordedAt: pv.lastRecordedAt,
    lastPosition: pv.lastPosition,
    revision: pv.revision,
  };
};

export const incidentListProjection: DocumentProjection<IncidentListDoc> = {
  name: 'incident-list',
  version: 1,
  keysOf: (e: LedgerEnvelope) => {
    const [incidentId] = partyVersionsProjection.keysOf(e, { get: () => undefined });
    return incidentId === undefined ? [] : [stateKey(incidentId), incidentId];
  },
  evolve: (doc, e, key, ctx) => {
    if (key.startsWith(INTERNAL_KEY_PREFIX)) return evolvePartyVersions(doc as PartyVersionsDoc | undefined, e);
    const state = ctx.get(stateKey(key)) as PartyVersionsDoc | undefined;
    return state ? toIncidentListItem(state) : undefined;
  },
};
