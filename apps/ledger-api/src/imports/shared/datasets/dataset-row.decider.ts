import {
  ASSERTION_FIELDS,
  AssertionField,
  Assertions,
  ClaimMadeData,
  currentStatement,
  Decider,
  DomainError,
  IncidentCommand,
  IncidentEvent,
  incidentDecider,
  IncidentReportedData,
  IncidentState,
  PointInTime,
  Source,
  structurallyEqual,
} from '@ledger/domain';

/**
 * One dataset row, brought into its incident's stream: whatever the stream lacks of it is decided here, against the
 * stream's state at the moment the batch is decided (not as it was when the file was read), so a row imported twice,
 * or by two imports at once, is one incident and one claim.
 */
export interface SyncDatasetRow {
  type: 'SyncDatasetRow';
  incident: IncidentReportedData;
  claim: ClaimMadeData;
  /** A correction's reason, stated time and source: the newer release the changed row comes from. */
  correction: { reason: string; statedAt: PointInTime; source: Source };
  knownParties: ReadonlySet<string>;
}

/** The row says what the ledger already has: nothing to record. A refusal, so that the executor appends nothing. */
export const DATASET_ROW_UNCHANGED = 'dataset-row-unchanged';

/** The assertion fields the row asserts with another value than the claim does now. */
export const changedRowFields = (current: Assertions, row: Assertions): AssertionField[] =>
  ASSERTION_FIELDS.filter((field) => row[field] !== undefined && !structurallyEqual(current[field], row[field]));

/**
 * What a row adds to its incident's stream, through the incident's own decider (so its rules hold):
 * - no incident yet: IncidentReported and the monitor's ClaimMade, together (a row is never half-written);
 * - the claim as the row has it: nothing (refused with DATASET_ROW_UNCHANGED);
 * - the row changed since: one ClaimCorrected carrying the changed words and assertion fields only.
 * The incident's own report is the ledger's and stays as first imported; what the monitor changes is its claim. An
 * assertion the newer row no longer makes (a perpetrator dropped) is left standing: a correction replaces fields, it
 * cannot remove one.
 */
const decideRow = (command: SyncDatasetRow, state: IncidentState): IncidentEvent[] => {
  const events: IncidentEvent[] = [];
  let current = state;
  const take = (next: IncidentCommand) => {
    const decided = incidentDecider.decide(next, current);
    events.push(...decided);
    current = decided.reduce(incidentDecider.evolve, current);
  };
  const { knownParties } = command;
  if (!current.reported) take({ type: 'ReportIncident', data: command.incident, knownParties });
  const claim = current.claims.get(command.claim.claimId);
  if (!claim) {
    take({ type: 'MakeClaim', data: command.claim, knownParties });
    return events;
  }
  if (claim.retracted) {
    throw new DomainError('claim-retracted', `the monitor's claim ${claim.claimId} on this row was retracted; a newer release does not restore it`, 'rule');
  }
  const fields = changedRowFields(claim.assertions, command.claim.assertions);
  const wordsChanged = !structurallyEqual(currentStatement(claim), command.claim.statement);
  if (fields.length === 0 && !wordsChanged) {
    throw new DomainError(DATASET_ROW_UNCHANGED, `claim ${claim.claimId} already says what the row says`, 'rule');
  }
  const assertions: Assertions = {};
  for (const field of fields) (assertions as Record<AssertionField, unknown>)[field] = command.claim.assertions[field];
  take({
    type: 'CorrectClaim',
    data: {
      incidentId: command.claim.incidentId,
      claimId: claim.claimId,
      partyId: command.claim.partyId,
      ...(wordsChanged ? { statement: command.claim.statement } : {}),
      ...(fields.length > 0 ? { assertions } : {}),
      reason: `${command.correction.reason}${fields.length > 0 ? ` (changed: ${fields.join(', ')}${wordsChanged ? ', words' : ''})` : ' (changed: words)'}`,
      statedAt: command.correction.statedAt,
      source: command.correction.source,
    },
    knownParties,
  });
  return events;
};

/** The incident decider's state and evolve, with a decide that takes a whole row. */
export const datasetRowDecider: Decider<IncidentState, SyncDatasetRow, IncidentEvent> = {
  initialState: incidentDecider.initialState,
  evolve: incidentDecider.evolve,
  decide: decideRow,
};
