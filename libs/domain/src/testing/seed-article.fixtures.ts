import {
  AmendEntry,
  CorrectClaim,
  DenyClaim,
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
} from '../incidents/incident.events';
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
  category: 'ceasefire-violation',
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

export const reportIncident = (data: Partial<IncidentReportedData> = {}): ReportIncident => ({
  type: 'ReportIncident',
  data: { ...incidentData, ...data },
});
export const makeClaim = (data: ClaimMadeData = azDefenceClaim, knownParties = ALL_PARTIES): MakeClaim => ({
  type: 'MakeClaim',
  data,
  knownParties,
});
export const denyClaim = (data: Partial<DenyClaim['data']> = {}, knownParties = ALL_PARTIES): DenyClaim => {
  const { claimPartyId, ...base } = karabakhDenial;
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
