import { LedgerEvent, Source, incidentStream, partyStream, storedTypeOf } from '@ledger/domain';
import type { NewEvent } from '@ledger/event-store';
import { LedgerEnvelope } from '../envelope';

/**
 * The seed article (RFE/RL, 2019-06-03) as the ledger would record it: five
 * parties, one incident, their claims and denials, one correction by a party
 * (Baku's military names its officer) and one ledger amendment (the recorder
 * mistyped the Karabakh army's casualty figure). Party and claim ids match
 * the domain's fixtures.
 */
export const PARTY = {
  azDefence: 'azerbaijan-defence-ministry',
  azForeign: 'azerbaijan-foreign-ministry',
  karabakhArmy: 'karabakh-defense-army',
  amForeign: 'armenia-foreign-ministry',
  minskGroup: 'osce-minsk-group-co-chairs',
} as const;

export const INCIDENT_ID = '5b0e6f1c-3c2a-4d7e-9f41-2019060300a1';

export const CLAIM = {
  azDefence: 'claim-az-defence',
  azForeign: 'claim-az-foreign',
  karabakhArmy: 'claim-karabakh-army',
  amForeign: 'claim-am-foreign',
  minskGroup: 'claim-minsk-group',
} as const;

export const DENIAL = {
  karabakhArmy: 'denial-karabakh-army',
  azForeign: 'denial-az-foreign',
} as const;

export const AMENDMENT = { karabakhFigure: 'amendment-karabakh-figure' } as const;

export const ANALYST = 'analyst:ani';
export const EDITOR = 'editor:mher';

export const article: Source = {
  title: 'Armenia, Azerbaijan accuse each other of torpedoing Karabakh peace talks',
  publisher: 'RFE/RL Armenian Service',
  publishedAt: '2019-06-03',
};

/** One entry of the scenario: which stream it goes to, who recorded it, and the event. */
export interface ScenarioEntry {
  streamName: string;
  recordedBy: string;
  event: LedgerEvent;
}

const party = (entry: Extract<LedgerEvent, { type: 'PartyRegistered' }>['data']): ScenarioEntry => ({
  streamName: partyStream(entry.partyId),
  recordedBy: ANALYST,
  event: { type: 'PartyRegistered', data: entry },
});

/** An entry of the seed incident's stream (or of another incident's, when the event names one). */
export const incidentEntry = (event: LedgerEvent, recordedBy = ANALYST): ScenarioEntry => ({
  streamName: incidentStream(event.type === 'PartyRegistered' ? INCIDENT_ID : event.data.incidentId),
  recordedBy,
  event,
});

const karabakhAssertions = (killed: number) => ({
  responsibleParties: [PARTY.azDefence],
  ceasefire: { violated: true, by: [PARTY.azDefence] },
  casualties: [{ side: PARTY.karabakhArmy, killed: { best: killed }, named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' as const }] }],
  occurred: { from: '2019-05-31', to: '2019-06-01', precision: 'day' as const },
});

export const seedArticleScenario = (): ScenarioEntry[] => [
  party({ partyId: PARTY.azDefence, name: 'Ministry of Defence of Azerbaijan', kind: 'armed-force', aliases: ['Azerbaijani military'] }),
  party({ partyId: PARTY.azForeign, name: 'Ministry of Foreign Affairs of Azerbaijan', kind: 'government-body', aliases: ['Foreign Ministry in Baku'] }),
  party({
    partyId: PARTY.karabakhArmy,
    name: 'Defense Army of Nagorno-Karabakh',
    kind: 'armed-force',
    affiliation: { description: 'Armenian-backed' },
    aliases: ['Karabakh Defense Army'],
  }),
  party({ partyId: PARTY.amForeign, name: 'Ministry of Foreign Affairs of Armenia', kind: 'government-body', aliases: ["Armenia's Foreign Ministry"] }),
  party({ partyId: PARTY.minskGroup, name: 'OSCE Minsk Group Co-Chairs', kind: 'mediator', aliases: ['Minsk Group co-chairs'] }),
  incidentEntry({
    type: 'IncidentReported',
    data: {
      incidentId: INCIDENT_ID,
      title: 'Deadly ceasefire violations on the Karabakh line of contact',
      summary: 'Each side reports a serviceman killed by the other side and blames it for the escalation.',
      occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
      location: { name: 'Line of contact, Nagorno-Karabakh', precision: 'region' },
      category: 'ceasefire-violation',
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.azDefence,
      partyId: PARTY.azDefence,
      statement: { text: 'One of its servicemen was shot and killed by enemy fire near Karabakh.', verbatim: false, language: 'en' },
      statedAt: { at: '2019-05-30', precision: 'day' },
      source: article,
      answers: [],
      assertions: {
        responsibleParties: [PARTY.karabakhArmy],
        ceasefire: { violated: true, by: [PARTY.karabakhArmy] },
        casualties: [{ side: PARTY.azDefence, killed: { best: 1 } }],
        occurred: { from: '2019-05-30', to: '2019-05-30', precision: 'day' },
      },
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.azForeign,
      partyId: PARTY.azForeign,
      statement: { text: 'Armenia is seeking to scuttle the high-level negotiations planned by the two sides.', verbatim: false },
      statedAt: { at: '2019-05-31', precision: 'approximate' },
      source: article,
      answers: [CLAIM.azDefence],
      assertions: {},
    },
  }),
  incidentEntry({
    type: 'ClaimDenied',
    data: {
      incidentId: INCIDENT_ID,
      denialId: DENIAL.karabakhArmy,
      claimId: CLAIM.azDefence,
      claimPartyId: PARTY.azDefence,
      partyId: PARTY.karabakhArmy,
      statement: { text: 'did not breach the ceasefire at any section of "the line of contact"', verbatim: true, language: 'en' },
      deniedAssertions: ['ceasefire', 'responsibleParties'],
      statedAt: { at: '2019-06-01', precision: 'day' },
      source: article,
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.karabakhArmy,
      partyId: PARTY.karabakhArmy,
      statement: {
        text: 'Azerbaijani truce violations rose sharply on the night from Friday to Saturday; soldier Sipan Melkonian died as a result.',
        verbatim: false,
        language: 'en',
      },
      statedAt: { at: '2019-06-01', precision: 'day' },
      source: article,
      answers: [CLAIM.azDefence],
      // The recorder typed 2 for the one soldier the army reported; amended below.
      assertions: karabakhAssertions(2),
    },
  }),
  incidentEntry({
    type: 'ClaimCorrected',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.azDefence,
      partyId: PARTY.azDefence,
      version: 2,
      statement: {
        text: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.',
        verbatim: false,
        language: 'en',
      },
      assertions: {
        casualties: [{ side: PARTY.azDefence, killed: { best: 1 }, named: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }] }],
      },
      reason: 'The victim was identified.',
      statedAt: { at: '2019-05-31', precision: 'day' },
      source: article,
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.amForeign,
      partyId: PARTY.amForeign,
      statement: { text: 'escalating the situation', verbatim: true, language: 'en' },
      statedAt: { at: '2019-06-01', precision: 'week' },
      source: article,
      answers: [CLAIM.azForeign],
      assertions: { responsibleParties: [PARTY.azDefence] },
    },
  }),
  incidentEntry({
    type: 'ClaimDenied',
    data: {
      incidentId: INCIDENT_ID,
      denialId: DENIAL.azForeign,
      claimId: CLAIM.amForeign,
      claimPartyId: PARTY.amForeign,
      partyId: PARTY.azForeign,
      statement: { text: 'an "emotional" and "contradictory" statement', verbatim: false, language: 'en' },
      deniedAssertions: [],
      statedAt: { at: '2019-06-02', precision: 'approximate' },
      source: article,
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.minskGroup,
      partyId: PARTY.minskGroup,
      statement: {
        text: 'The Co-Chairs expressed deep concern about recent casualties and called on the parties to exercise maximum restraint to avoid escalation',
        verbatim: true,
        language: 'en',
      },
      statedAt: { at: '2019-06-02', precision: 'approximate' },
      source: article,
      answers: [],
      assertions: {},
    },
  }),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: AMENDMENT.karabakhFigure,
        entry: { kind: 'claim', claimId: CLAIM.karabakhArmy, version: 1 },
        changes: { assertions: karabakhAssertions(1) },
        reason: 'Typing error: the army reported one soldier killed.',
      },
    },
    EDITOR,
  ),
];

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
