import { fold, IncidentEvent, IncidentReportedData, IncidentState, incidentDecider } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { sealEvents } from '@ledger/integrity';
import {
  ANALYST,
  article,
  CLAIM,
  INCIDENT_ID,
  incidentEntry,
  PARTY,
  ScenarioEntry,
  seedArticleScenario,
  storedEventsOf,
} from '@ledger/read-models/testing/seed-article.fixture';

/**
 * The seed article's scenario, plus the event types it lacks: an analyst grading the Karabakh army's source, and the
 * Minsk Group withdrawing its statement, as the incident decider records them from the scenario's own state (so the
 * data is what the write side really produces).
 */
export const seedScenarioWithRetraction = (): ScenarioEntry[] => {
  const entries = seedArticleScenario();
  const incidentEvents = entries.map((e) => e.event).filter((event): event is IncidentEvent => event.type !== 'PartyRegistered');
  const state = fold(incidentDecider, incidentEvents);
  const grade = incidentDecider.decide(
    {
      type: 'GradeSource',
      data: { incidentId: INCIDENT_ID, claimId: CLAIM.karabakhArmy, reliability: 'C', credibility: 3, gradedBy: ANALYST, gradedAt: '2019-06-04T09:00:00.000Z' },
    },
    state,
  );
  const retraction = incidentDecider.decide(
    {
      type: 'RetractClaim',
      data: {
        incidentId: INCIDENT_ID,
        claimId: CLAIM.minskGroup,
        partyId: PARTY.minskGroup,
        reason: 'The co-chairs asked for the statement to be read with their later joint communique.',
        statedAt: { at: '2019-06-04', precision: 'day' },
        source: article,
      },
    },
    state,
  );
  const later = [...grade, ...retraction];
  // The split is the seed stream's next event: its revision is the number of events before it.
  const retracted = later.reduce(incidentDecider.evolve, state);
  return [...entries, ...later.map((event) => incidentEntry(event, ANALYST)), ...splitAndMergeBack(retracted, String(incidentEvents.length + later.length))];
};

/** An incident split off the seed incident and found, after all, to be the same event: every merge and split event type, as decided. */
export const SPLIT_INCIDENT_ID = '5b0e6f1c-3c2a-4d7e-9f41-2019060300f9';

const splitAndMergeBack = (seed: IncidentState, sourceRevision: string): ScenarioEntry[] => {
  const reason = 'The Armenian ministry spoke of the night before';
  const split = incidentDecider.decide(
    { type: 'SplitIncident', data: { incidentId: INCIDENT_ID, newIncidentId: SPLIT_INCIDENT_ID, splitId: 'split-seed', claimIds: [CLAIM.amForeign], reason } },
    seed,
  );
  const report = { ...(seed.incident as IncidentReportedData), incidentId: SPLIT_INCIDENT_ID, title: 'The night before on the line of contact' };
  const data = { incidentId: SPLIT_INCIDENT_ID, sourceId: INCIDENT_ID, splitId: 'split-seed', claimIds: [CLAIM.amForeign], sourceRevision, reason };
  const made = incidentDecider.decide({ type: 'RecordSplit', report, data, knownParties: new Set(Object.values(PARTY)) }, incidentDecider.initialState());
  const mergeData = { incidentId: SPLIT_INCIDENT_ID, survivorId: INCIDENT_ID, mergeId: 'merge-seed', reason: 'The same night after all' };
  const merged = incidentDecider.decide({ type: 'MergeInto', data: mergeData, survivor: { reported: true } }, made.reduce(incidentDecider.evolve, incidentDecider.initialState()));
  const recorded = incidentDecider.decide(
    { type: 'RecordMerge', data: { incidentId: INCIDENT_ID, absorbedId: SPLIT_INCIDENT_ID, mergeId: 'merge-seed', absorbedRevision: '2', reason: mergeData.reason } },
    split.reduce(incidentDecider.evolve, seed),
  );
  return [...split, ...made, ...merged, ...recorded].map((event) => incidentEntry(event, ANALYST));
};

/**
 * The entries as a store hands them back after appending them in order to an empty log: stored type names,
 * revisions, positions from 1, and each stream's hash chain as both stores seal it.
 */
export const recordedEventsOf = (entries: ScenarioEntry[]): RecordedEvent[] => {
  const revisions = new Map<string, bigint>();
  const lastHash = new Map<string, string | null>();
  return storedEventsOf(entries).map(({ streamName, event }, i) => {
    const revision = revisions.get(streamName) ?? 0n;
    const [sealed] = sealEvents(streamName, revision, lastHash.get(streamName) ?? null, [event]);
    revisions.set(streamName, revision + 1n);
    lastHash.set(streamName, sealed.metadata.hash as string);
    return {
      eventId: sealed.eventId,
      type: sealed.type,
      streamName,
      revision,
      position: BigInt(i + 1),
      data: sealed.data,
      metadata: sealed.metadata,
    };
  });
};

export const seedRecordedEvents = (): RecordedEvent[] => recordedEventsOf(seedScenarioWithRetraction());
