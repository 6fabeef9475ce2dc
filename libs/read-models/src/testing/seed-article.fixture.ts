import { ClaimMadeData, EntryChanges, EntryRef, IncidentReportedData, LedgerEvent, incidentStream, partyStream, storedTypeOf } from '@ledger/domain';
import { ANALYST, EDITOR, INCIDENT_ID, article, seedArticleLog } from '@ledger/domain/testing/seed-article.fixtures';
import type { NewEvent } from '@ledger/event-store';
import { LedgerEnvelope } from '../envelope';

/**
 * The seed article's log (the domain's fixture, the one source of the seed
 * data) as the read models see it: entries with their streams, envelopes as
 * the runner delivers them, and stored events ready to append.
 */
export { AMENDMENT, ANALYST, CLAIM, DENIAL, EDITOR, INCIDENT_ID, PARTY, article } from '@ledger/domain/testing/seed-article.fixtures';

/** One entry of the scenario: which stream it goes to, who recorded it, and the event. */
export interface ScenarioEntry {
  streamName: string;
  recordedBy: string;
  event: LedgerEvent;
}

/** An entry of the seed incident's stream (or of another incident's, when the event names one). */
export const incidentEntry = (event: LedgerEvent, recordedBy = ANALYST): ScenarioEntry => ({
  streamName: incidentStream(event.type === 'PartyRegistered' ? INCIDENT_ID : event.data.incidentId),
  recordedBy,
  event,
});

/** A claim retracted by its party on the day given, citing the article. */
export const retraction = (claimId: string, partyId: string, reason: string, statedOn: string, incidentId = INCIDENT_ID): ScenarioEntry =>
  incidentEntry({ type: 'ClaimRetracted', data: { incidentId, claimId, partyId, reason, statedAt: { at: statedOn, precision: 'day' }, source: article } });

/** An editor's amendment of an entry of the seed incident (or of the incident given). */
export const amendment = (amendmentId: string, entry: EntryRef, changes: EntryChanges, reason: string, incidentId = INCIDENT_ID): ScenarioEntry =>
  incidentEntry({ type: 'EntryAmended', data: { incidentId, amendmentId, entry, changes, reason } }, EDITOR);

/** An analyst's grade of a claim version (Admiralty system), recorded on the day given. */
export const grading = (
  claimId: string,
  claimVersion: number,
  grade: `${'A' | 'B' | 'C' | 'D' | 'E' | 'F'}${1 | 2 | 3 | 4 | 5 | 6}`,
  reason?: string,
  incidentId = INCIDENT_ID,
): ScenarioEntry =>
  incidentEntry({
    type: 'SourceGraded',
    data: {
      incidentId,
      claimId,
      claimVersion,
      reliability: grade[0] as 'A',
      credibility: Number(grade[1]) as 1,
      ...(reason !== undefined ? { reason } : {}),
      gradedBy: ANALYST,
      gradedAt: '2019-06-04T09:00:00.000Z',
    },
  });

/** Another incident: shelling near Tovuz on 4 June 2019, unless `fields` say otherwise. */
export const incidentReported = (incidentId: string, fields: Partial<IncidentReportedData> = {}): ScenarioEntry =>
  incidentEntry({
    type: 'IncidentReported',
    data: {
      incidentId,
      title: 'Shelling near Tovuz',
      summary: 'Reported shelling of border villages.',
      occurred: { from: '2019-06-04', to: '2019-06-04', precision: 'day' },
      location: { name: 'Tovuz district', precision: 'district' },
      category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] },
      ...fields,
    },
  });

/** A claim citing the article, stated on 4 June 2019 and answering nothing, unless `fields` say otherwise. */
export const claimMade = (incidentId: string, claimId: string, partyId: string, fields: Partial<ClaimMadeData> = {}): ScenarioEntry =>
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId,
      claimId,
      partyId,
      statement: { text: 'Villages came under fire.', verbatim: false },
      statedAt: { at: '2019-06-04', precision: 'day' },
      source: article,
      answers: [],
      assertions: {},
      supersedes: [],
      ...fields,
    },
  });

export const seedArticleScenario = (): ScenarioEntry[] =>
  seedArticleLog().map(({ event, recordedBy }) =>
    event.type === 'PartyRegistered' ? { streamName: partyStream(event.data.partyId), recordedBy, event } : incidentEntry(event, recordedBy),
  );

/** Recorded times one minute apart from 09:00 UTC on the article's day, unless a start is given. */
export const recordedAtOf = (index: number, start = Date.parse('2019-06-03T09:00:00.000Z')): string =>
  new Date(start + index * 60_000).toISOString();

export const eventIdOf = (index: number, prefix = '00000000-0000-4000-8000'): string => `${prefix}-${String(index + 1).padStart(12, '0')}`;

/** Envelopes as the runner would see them after appending `entries` in order to an empty log. */
export const envelopesOf = (entries: ScenarioEntry[], firstPosition = 1n): LedgerEnvelope[] => {
  const revisions = new Map<string, bigint>();
  return entries.map((entry, i) => {
    const revision = revisions.has(entry.streamName) ? revisions.get(entry.streamName)! + 1n : 0n;
    revisions.set(entry.streamName, revision);
    return {
      event: entry.event,
      eventId: eventIdOf(i),
      streamName: entry.streamName,
      revision,
      position: firstPosition + BigInt(i),
      recordedAt: recordedAtOf(i),
      recordedBy: entry.recordedBy,
      correlationId: `corr-${i + 1}`,
      causationId: `corr-${i + 1}`,
    };
  });
};

export const seedArticleEnvelopes = (): LedgerEnvelope[] => envelopesOf(seedArticleScenario());

/** The scenario as stored events, with the registry's type names, ready for EventStore.append. */
export const storedEventsOf = (entries: ScenarioEntry[], idPrefix?: string): Array<{ streamName: string; event: NewEvent }> =>
  entries.map((entry, i) => ({
    streamName: entry.streamName,
    event: {
      eventId: eventIdOf(i, idPrefix),
      type: storedTypeOf(entry.event.type),
      data: entry.event.data,
      metadata: {
        recordedAt: recordedAtOf(i),
        recordedBy: entry.recordedBy,
        correlationId: `corr-${i + 1}`,
        causationId: `corr-${i + 1}`,
      },
    },
  }));
