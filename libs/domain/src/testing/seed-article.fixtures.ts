import {
  AmendEntry,
  CorrectClaim,
  DenyClaim,
  GradeSource,
  MakeClaim,
  ReportIncident,
  RetractClaim,
} from '../incidents/incident.commands';
import {
  ClaimCorrected,
  ClaimCorrectedData,
  ClaimDenied,
  ClaimDeniedData,
  ClaimMade,
  ClaimMadeData,
  ClaimRetracted,
  ClaimRetractedData,
  EntryAmended,
  EntryAmendedData,
  IncidentReported,
  IncidentReportedData,
  SourceGraded,
  SourceGradedData,
} from '../incidents/incident.events';
import { LedgerEvent } from '../event-registry';
import { PartyRegistered, PartyRegisteredData } from '../parties/party.events';
import { Source } from '../shared/values';

/**
 * Test data from the seed article (RFE/RL, 2019-06-03): deadly truce
 * violations on the Karabakh line of contact and five parties' accounts.
 * Statements are paraphrases unless marked verbatim.
 */

export const PARTY = {
  azDefence: 'azerbaijan-defence-ministry',
  azForeign: 'azerbaijan-foreign-ministry',
  karabakhArmy: 'karabakh-defense-army',
  amForeign: 'armenia-foreign-ministry',
  minskGroup: 'osce-minsk-group-co-chairs',
} as const;

export const ALL_PARTIES: ReadonlySet<string> = new Set(Object.values(PARTY));

export const INCIDENT_ID = '5b0e6f1c-3c2a-4d7e-9f41-2019060300a1';

export const article: Source = {
  title: 'Armenia, Azerbaijan accuse each other of torpedoing Karabakh peace talks',
  publisher: 'RFE/RL Armenian Service',
  publishedAt: '2019-06-03',
};

export const karabakhArmyParty: PartyRegisteredData = {
  partyId: PARTY.karabakhArmy,
  name: 'Defense Army of Nagorno-Karabakh',
  kind: 'armed-force',
  affiliation: { description: 'Armenian-backed' },
  aliases: ['Karabakh Defense Army'],
};

export const partyRegistered = (data: PartyRegisteredData): PartyRegistered => ({ type: 'PartyRegistered', data });

export const incidentData: IncidentReportedData = {
  incidentId: INCIDENT_ID,
  title: 'Deadly ceasefire violations on the Karabakh line of contact',
  summary: 'Each side reports a serviceman killed by the other side and blames it for the escalation.',
  occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
  location: { name: 'Line of contact, Nagorno-Karabakh', precision: 'region' },
  // A night of exchanges of fire on the line of contact: ACLED codes such fighting as an armed clash.
  category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
};

/** Azerbaijan's military: officer Aqil Omarov shot and killed by enemy fire. */
export const azDefenceClaim: ClaimMadeData = {
  incidentId: INCIDENT_ID,
  claimId: 'claim-az-defence',
  partyId: PARTY.azDefence,
  statement: {
    text: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.',
    verbatim: false,
    language: 'en',
  },
  statedAt: { at: '2019-05-30', precision: 'day' },
  source: article,
  answers: [],
  supersedes: [],
  assertions: {
    responsibleParties: [PARTY.karabakhArmy],
    ceasefire: { violated: true, by: [PARTY.karabakhArmy] },
    casualties: [
      {
        side: PARTY.azDefence,
        killed: { best: 1 },
        named: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }],
      },
    ],
  },
};

/** The Karabakh army: it did not breach the truce; Azerbaijani fire killed Sipan Melkonian. */
export const karabakhArmyClaim: ClaimMadeData = {
  incidentId: INCIDENT_ID,
  claimId: 'claim-karabakh-army',
  partyId: PARTY.karabakhArmy,
  statement: {
    text: 'Azerbaijani truce violations rose sharply on the night from Friday to Saturday; soldier Sipan Melkonian died as a result.',
    verbatim: false,
    language: 'en',
  },
  statedAt: { at: '2019-06-01', precision: 'day' },
  source: article,
  answers: [],
  supersedes: [],
  assertions: {
    responsibleParties: [PARTY.azDefence],
    ceasefire: { violated: true, by: [PARTY.azDefence] },
    casualties: [
      {
        side: PARTY.karabakhArmy,
        killed: { best: 1 },
        named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' }],
      },
    ],
    occurred: { from: '2019-05-31', to: '2019-06-01', precision: 'day' },
  },
};

/** Baku's foreign ministry: Armenia seeks to scuttle the planned negotiations. No structured assertion. */
export const azForeignClaim: ClaimMadeData = {
  incidentId: INCIDENT_ID,
  claimId: 'claim-az-foreign',
  partyId: PARTY.azForeign,
  statement: { text: 'Armenia is seeking to scuttle the high-level negotiations planned by the two sides.', verbatim: false },
  statedAt: { at: '2019-05-31', precision: 'approximate' },
  source: article,
  answers: [],
  supersedes: [],
  assertions: {},
};

/** Yerevan's foreign ministry: Azerbaijan is deliberately "escalating the situation". */
export const amForeignClaim: ClaimMadeData = {
  incidentId: INCIDENT_ID,
  claimId: 'claim-am-foreign',
  partyId: PARTY.amForeign,
  statement: { text: 'escalating the situation', verbatim: true, language: 'en' },
  statedAt: { at: '2019-06-01', precision: 'week' },
  source: article,
  answers: ['claim-az-foreign'],
  supersedes: [],
  assertions: { responsibleParties: [PARTY.azDefence] },
};

/** The Minsk Group co-chairs: concern and a call for restraint, blaming no one. */
export const minskGroupClaim: ClaimMadeData = {
  incidentId: INCIDENT_ID,
  claimId: 'claim-minsk-group',
  partyId: PARTY.minskGroup,
  statement: { text: 'exercise maximum restraint to avoid escalation', verbatim: true, language: 'en' },
  statedAt: { at: '2019-06-01', precision: 'week' },
  source: article,
  answers: [],
  supersedes: [],
  assertions: {},
};

/** The Karabakh army denies having breached the ceasefire "at any section". */
export const karabakhDenial: ClaimDeniedData = {
  incidentId: INCIDENT_ID,
  denialId: 'denial-karabakh-army',
  claimId: azDefenceClaim.claimId,
  claimPartyId: PARTY.azDefence,
  partyId: PARTY.karabakhArmy,
  statement: { text: 'did not breach the ceasefire at any section of "the line of contact"', verbatim: true, language: 'en' },
  deniedAssertions: ['ceasefire'],
  statedAt: { at: '2019-06-01', precision: 'day' },
  source: article,
  claimVersion: 1,
};

export const incidentReported = (data: Partial<IncidentReportedData> = {}): IncidentReported => ({
  type: 'IncidentReported',
  data: { ...incidentData, ...data },
});
export const claimMade = (data: ClaimMadeData = azDefenceClaim): ClaimMade => ({ type: 'ClaimMade', data });
export const claimDenied = (data: ClaimDeniedData = karabakhDenial): ClaimDenied => ({ type: 'ClaimDenied', data });
export const claimCorrected = (data: ClaimCorrectedData): ClaimCorrected => ({ type: 'ClaimCorrected', data });
export const claimRetracted = (data: ClaimRetractedData): ClaimRetracted => ({ type: 'ClaimRetracted', data });
export const entryAmended = (data: EntryAmendedData): EntryAmended => ({ type: 'EntryAmended', data });
export const sourceGraded = (data: SourceGradedData): SourceGraded => ({ type: 'SourceGraded', data });
export const gradeSource = (data: GradeSource['data']): GradeSource => ({ type: 'GradeSource', data });

export const reportIncident = (data: Partial<IncidentReportedData> = {}, knownParties = ALL_PARTIES): ReportIncident => ({
  type: 'ReportIncident',
  data: { ...incidentData, ...data },
  knownParties,
});
export const makeClaim = (data: ClaimMadeData = azDefenceClaim, knownParties = ALL_PARTIES): MakeClaim => ({
  type: 'MakeClaim',
  data,
  knownParties,
});
export const denyClaim = (data: Partial<DenyClaim['data']> = {}, knownParties = ALL_PARTIES): DenyClaim => {
  // Without a version, as most recorders send it: the decider binds the denial to the claim's current version.
  const { claimPartyId, claimVersion, ...base } = karabakhDenial;
  return { type: 'DenyClaim', data: { ...base, ...data }, knownParties };
};
export const correctClaim = (data: CorrectClaim['data'], knownParties = ALL_PARTIES): CorrectClaim => ({
  type: 'CorrectClaim',
  data,
  knownParties,
});
export const retractClaim = (data: RetractClaim['data']): RetractClaim => ({ type: 'RetractClaim', data });
export const amendEntry = (data: EntryAmendedData, knownParties = ALL_PARTIES): AmendEntry => ({
  type: 'AmendEntry',
  data,
  knownParties,
});

/*
 * The seed article as the ledger recorded it, event by event: what the read
 * models, the time-travel answers and the CLI's tests replay. Baku's military
 * first names no victim and corrects its claim a day later; the recorder
 * mistypes the Karabakh army's figure and the ledger amends it.
 */

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


/** One event of the seed article's log and who recorded it. */
export interface SeedLogEntry {
  event: LedgerEvent;
  recordedBy: string;
}

const registered = (data: PartyRegisteredData): SeedLogEntry => ({ event: { type: 'PartyRegistered', data }, recordedBy: ANALYST });

const logged = (event: LedgerEvent, recordedBy = ANALYST): SeedLogEntry => ({ event, recordedBy });

const karabakhAssertions = (killed: number) => ({
  responsibleParties: [PARTY.azDefence],
  ceasefire: { violated: true, by: [PARTY.azDefence] },
  casualties: [{ side: PARTY.karabakhArmy, killed: { best: killed }, named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' as const }] }],
  occurred: { from: '2019-05-31', to: '2019-06-01', precision: 'day' as const },
});

export const seedArticleLog = (): SeedLogEntry[] => [
  registered({ partyId: PARTY.azDefence, name: 'Ministry of Defence of Azerbaijan', kind: 'armed-force', aliases: ['Azerbaijani military'] }),
  registered({ partyId: PARTY.azForeign, name: 'Ministry of Foreign Affairs of Azerbaijan', kind: 'government-body', aliases: ['Foreign Ministry in Baku'] }),
  registered(karabakhArmyParty),
  registered({ partyId: PARTY.amForeign, name: 'Ministry of Foreign Affairs of Armenia', kind: 'government-body', aliases: ["Armenia's Foreign Ministry"] }),
  registered({ partyId: PARTY.minskGroup, name: 'OSCE Minsk Group Co-Chairs', kind: 'mediator', aliases: ['Minsk Group co-chairs'] }),
  logged(incidentReported()),
  logged({
    type: 'ClaimMade',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.azDefence,
      partyId: PARTY.azDefence,
      statement: { text: 'One of its servicemen was shot and killed by enemy fire near Karabakh.', verbatim: false, language: 'en' },
      statedAt: { at: '2019-05-30', precision: 'day' },
      source: article,
      answers: [],
      supersedes: [],
      assertions: {
        responsibleParties: [PARTY.karabakhArmy],
        ceasefire: { violated: true, by: [PARTY.karabakhArmy] },
        casualties: [{ side: PARTY.azDefence, killed: { best: 1 } }],
        occurred: { from: '2019-05-30', to: '2019-05-30', precision: 'day' },
      },
    },
  }),
  logged(claimMade({ ...azForeignClaim, answers: [CLAIM.azDefence] })),
  logged({
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
      claimVersion: 1,
    },
  }),
  // The recorder typed 2 for the one soldier the army reported; amended below.
  logged(claimMade({ ...karabakhArmyClaim, answers: [CLAIM.azDefence], assertions: karabakhAssertions(2) })),
  logged({
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
  logged(claimMade(amForeignClaim)),
  logged({
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
      claimVersion: 1,
      source: article,
    },
  }),
  logged({
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
      supersedes: [],
      assertions: {},
    },
  }),
  logged(
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
