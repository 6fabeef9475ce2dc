import {
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryAmendedData,
  IncidentMergedIntoData,
  IncidentReportedData,
  SourceGradedData,
  IncidentSplitData,
  IncidentSplitFromData,
  IncidentsMergedData,
} from './incident.events';

/**
 * Commands carry every id and fact the decider needs as data. Party
 * existence lives in other streams, so the handler resolves which of the
 * party ids named in a command are registered and passes that set in.
 */
interface WithKnownParties {
  knownParties: ReadonlySet<string>;
}

export interface ReportIncident extends WithKnownParties {
  type: 'ReportIncident';
  data: IncidentReportedData;
}

export interface MakeClaim extends WithKnownParties {
  type: 'MakeClaim';
  data: ClaimMadeData;
}

export interface DenyClaim extends WithKnownParties {
  type: 'DenyClaim';
  /** Without `claimVersion`, the claim's current version is denied. */
  data: Omit<ClaimDeniedData, 'claimPartyId' | 'claimVersion'> & { claimVersion?: number };
}

export interface CorrectClaim extends WithKnownParties {
  type: 'CorrectClaim';
  data: Omit<ClaimCorrectedData, 'version'>;
}

export interface RetractClaim {
  type: 'RetractClaim';
  data: ClaimRetractedData;
}

export interface AmendEntry extends WithKnownParties {
  type: 'AmendEntry';
  data: EntryAmendedData;
}

/** Grades a version of a claim; without `claimVersion`, the claim's current version. Who and when arrive as data. */
export interface GradeSource {
  type: 'GradeSource';
  data: Omit<SourceGradedData, 'claimVersion'> & { claimVersion?: number };
}

/** What the absorbed incident's decider must know of the survivor, read by the handler from the survivor's stream. */
export interface SurvivorFacts {
  reported: boolean;
  /** The survivor's own survivor, when it was merged itself. */
  mergedInto?: string;
}

/** Decided on the absorbed incident's stream: the merge's commit point. */
export interface MergeInto {
  type: 'MergeInto';
  data: IncidentMergedIntoData;
  survivor: SurvivorFacts;
}

/** Decided on the survivor's stream once the absorbed stream took IncidentMergedInto; re-sent until it is stored. */
export interface RecordMerge {
  type: 'RecordMerge';
  data: IncidentsMergedData;
}

/** Decided on the source incident's stream: the split's commit point. */
export interface SplitIncident {
  type: 'SplitIncident';
  data: IncidentSplitData;
}

/** Decided on the new incident's stream (which must not exist yet) once the source took IncidentSplit. */
export interface RecordSplit extends WithKnownParties {
  type: 'RecordSplit';
  report: IncidentReportedData;
  data: IncidentSplitFromData;
}

export type IncidentCommand =
  | ReportIncident
  | MakeClaim
  | DenyClaim
  | CorrectClaim
  | RetractClaim
  | AmendEntry
  | GradeSource
  | MergeInto
  | RecordMerge
  | SplitIncident
  | RecordSplit;
