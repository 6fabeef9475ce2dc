import {
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryAmendedData,
  IncidentReportedData,
  SourceGradedData,
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

export type IncidentCommand = ReportIncident | MakeClaim | DenyClaim | CorrectClaim | RetractClaim | AmendEntry | GradeSource;
