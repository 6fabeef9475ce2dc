import { knownStoredTypes } from '@ledger/domain';
import { EVENT_SCHEMA_BASE, cloudEventTypeOf } from '../cloud-event';

export interface EventDataType {
  /** The exported TypeScript interface of the event's `data` (from @ledger/domain) that the schema is generated from. */
  dataType: string;
  /** What the event means, for the schema's and the AsyncAPI message's description. */
  summary: string;
}

/**
 * Stored type → the interface its data has. Explicit, like the registry's stored names: when a type gets a v2,
 * the v1 data interface is renamed (kept for the upcaster), so the interface of an old version cannot be derived
 * from the event name. A stored type of the registry missing here fails the contract tests.
 */
export const EVENT_DATA_TYPES: Readonly<Record<string, EventDataType>> = {
  'PartyRegistered.v1': {
    dataType: 'PartyRegisteredV1Data',
    summary: 'A party exists: its name, kind, affiliation (with the wording used, e.g. "Armenian-backed") and aliases.',
  },
  'PartyRegistered.v2': {
    dataType: 'PartyRegisteredData',
    summary:
      'A party exists: its name, kind (v2 adds company, international-organisation, investigative-body, court-or-tribunal, intelligence-service), a free description, affiliation (with the wording used, e.g. "Armenian-backed") and aliases. Every v1 payload is a valid v2 payload.',
  },
  'IncidentReported.v1': {
    dataType: 'IncidentReportedV1Data',
    summary: 'The ledger opens an incident: title, summary, when it happened (interval and precision), where (place and precision), category.',
  },
  'IncidentReported.v2': {
    dataType: 'IncidentReportedData',
    summary:
      "The ledger opens an incident: title, summary, when it happened (interval and precision), where (place, precision, optional coordinates), its category as ACLED's event type and sub-event type with free tags, and optionally its toll by casualty group. A v1 category reads as categoryOfV1 says (e.g. shelling: explosions-remote-violence / shelling-artillery-missile-attack; ceasefire-violation: no event type, tag ceasefire-violation).",
  },
  'ClaimMade.v1': {
    dataType: 'ClaimMadeV1Data',
    summary:
      "A party states something about an incident: its words (verbatim or paraphrase), structured assertions, when it said them, the source that carries them, and the claims it answers.",
  },
  'ClaimMade.v2': {
    dataType: 'ClaimMadeV2Data',
    summary:
      "A party states something about an incident: its words (verbatim or paraphrase), structured assertions, when it said them, the source that carries them, and the claims it answers. v2 casualties are groups: a side (a party), a category (civilians, combatants, unknown) and a nationality, each optional; a v1 side `civilians` or `unknown` reads as that category with no side.",
  },
  'ClaimMade.v3': {
    dataType: 'ClaimMadeData',
    summary:
      "A party states something about an incident: its words (verbatim or paraphrase), structured assertions, when it said them, the source that carries them, the claims it answers, and (v3) the earlier claims of the same party it supersedes: they stop counting in the party's positions while this claim is not retracted, their history kept. Casualties as in ClaimMade.v2; a v2 claim reads with `supersedes: []` (it stood beside the party's other claims).",
  },
  'ClaimDenied.v1': {
    dataType: 'ClaimDeniedV1Data',
    summary:
      "A party denies another party's claim: its words, which assertions it denies (none listed: the claim as a whole), when, and the source. Written before denials named a claim version: the ledger reads it as denying the claim's version current when it was recorded.",
  },
  'ClaimDenied.v2': {
    dataType: 'ClaimDeniedData',
    summary:
      "A party denies another party's claim at one version (`claimVersion`; a later correction does not move the denial): its words, which assertions it denies (none listed: the claim as a whole), when, and the source.",
  },
  'ClaimCorrected.v1': {
    dataType: 'ClaimCorrectedV1Data',
    summary: "The claimant changes its own claim: new words and/or assertions, the reason and the source. `version` is the claim's new version (ClaimMade is version 1).",
  },
  'ClaimCorrected.v2': {
    dataType: 'ClaimCorrectedData',
    summary:
      "The claimant changes its own claim: new words and/or assertions, the reason and the source. `version` is the claim's new version (ClaimMade is version 1). Casualties as in ClaimMade.v2.",
  },
  'ClaimRetracted.v1': {
    dataType: 'ClaimRetractedData',
    summary: 'The claimant withdraws its own claim, with the reason and the source.',
  },
  'SourceGraded.v1': {
    dataType: 'SourceGradedData',
    summary:
      'A recorder grades one version of a claim in the Admiralty (NATO) system: the reliability of its source, A (completely reliable) to F (cannot be judged), and the credibility of the information, 1 (confirmed) to 6 (cannot be judged); with who graded it, when (server clock) and why (always given for a regrade). Regrading is another SourceGraded: every grade stays in the log.',
  },
  'EntryAmended.v1': {
    dataType: 'EntryAmendedV1Data',
    summary:
      "The ledger fixes its own transcription mistake in an earlier entry (a typo in a quote, a wrong date typed). Never a party changing its mind: that is ClaimCorrected.",
  },
  'EntryAmended.v2': {
    dataType: 'EntryAmendedData',
    summary:
      "The ledger fixes its own transcription mistake in an earlier entry (a typo in a quote, a wrong date typed). Never a party changing its mind: that is ClaimCorrected. v2: assertions as in ClaimMade.v2, and a denial's claimVersion may be amended.",
  },
  'IncidentMergedInto.v1': {
    dataType: 'IncidentMergedIntoData',
    summary:
      "On the absorbed incident's stream: it is the same event as the survivor (`survivorId`). The merge's commit point: from here the incident takes no new claims, and every claim and denial it holds counts in the survivor (their corrections, denials and retractions are still written to this stream).",
  },
  'IncidentsMerged.v1': {
    dataType: 'IncidentsMergedData',
    summary:
      "On the survivor's stream: it absorbed another incident, whose IncidentMergedInto stands at `absorbedRevision` of that incident's stream. Same `mergeId` as that event.",
  },
  'IncidentSplit.v1': {
    dataType: 'IncidentSplitData',
    summary:
      "On the source incident's stream: the claims listed (recorded under it) are about another event and count from now on in the new incident `newIncidentId`. The split's commit point; the claims' events stay in this stream.",
  },
  'IncidentSplitFrom.v1': {
    dataType: 'IncidentSplitFromData',
    summary: "On the new incident's stream, after its IncidentReported: it was made by split `splitId` of incident `sourceId`, with the claims listed.",
  },
};

export class MissingEventDataTypeError extends Error {
  constructor(readonly storedType: string) {
    super(`No data interface listed in EVENT_DATA_TYPES for stored type "${storedType}"`);
    this.name = 'MissingEventDataTypeError';
  }
}

export const eventDataTypeOf = (storedType: string): EventDataType => {
  if (!Object.prototype.hasOwnProperty.call(EVENT_DATA_TYPES, storedType)) throw new MissingEventDataTypeError(storedType);
  return EVENT_DATA_TYPES[storedType];
};

export const LEDGER_CLOUD_EVENT_SCHEMA_ID = 'https://incident-ledger.dev/schemas/ledger-cloud-event.json';

export const eventSchemaFileName = (storedType: string): string => `${storedType}.json`;

export const eventSchemaId = (storedType: string): string => `${EVENT_SCHEMA_BASE}${eventSchemaFileName(storedType)}`;

/** What an integrator needs to find an event type's contract: its CloudEvents `type` and its data schema. */
export interface EventSchemaIndexEntry {
  storedType: string;
  cloudEventType: string;
  dataschema: string;
  dataType: string;
  summary: string;
}

/** In the registry's order: every stored type the ledger can deliver, old versions included. */
export const eventSchemaIndex = (): EventSchemaIndexEntry[] =>
  knownStoredTypes().map((storedType) => {
    const { dataType, summary } = eventDataTypeOf(storedType);
    return { storedType, cloudEventType: cloudEventTypeOf(storedType), dataschema: eventSchemaId(storedType), dataType, summary };
  });
