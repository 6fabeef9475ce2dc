import { Map as ImmutableMap, OrderedMap, Set as ImmutableSet } from 'immutable';
import { applyAssertionChanges, assertedFields, currentAssertions } from '../shared/assertions';
import { Decider } from '../shared/decider';
import { unhandled } from '../shared/exhaustive';
import { DomainError } from '../shared/domain-error';
import { structurallyEqual } from '../shared/structural-equality';
import {
  requireKnownParty,
  requireText,
  validateAssertions,
  validateCasualties,
  validateCategory,
  validateGrade,
  validateInterval,
  validatePlace,
  validatePointInTime,
  validateStatement,
  validateTimestamp,
} from '../shared/validation';
import { Statement } from '../shared/values';
import { applyEntryChanges, changedEntryKeys } from './entry-changes';
import {
  AmendEntry,
  CorrectClaim,
  DenyClaim,
  GradeSource,
  IncidentCommand,
  MakeClaim,
  MergeInto,
  RecordMerge,
  RecordSplit,
  ReportIncident,
  RetractClaim,
  SplitIncident,
} from './incident.commands';
import {
  AMENDABLE_FIELDS,
  AssertionField,
  Assertions,
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryChanges,
  EntryRef,
  IncidentCategory,
  IncidentEvent,
  IncidentReportedData,
  SourceGrade,
  SourceGradedData,
  boundClaimVersion,
} from './incident.events';

/** One version of a claim as the ledger has it (after amendments): version 1 is the ClaimMade, n > 1 the correction that made it. */
export type ClaimVersionData = ClaimMadeData | ClaimCorrectedData;

export interface ClaimState {
  claimId: string;
  /** The claimant: the only party that may correct or retract the claim. */
  partyId: string;
  /** Current version; equals versions.length. */
  version: number;
  versions: ClaimVersionData[];
  /** What the claim asserts now, after corrections and amendments. */
  assertions: Assertions;
  retracted: boolean;
  retraction?: ClaimRetractedData;
  /** The latest grade of each graded version, by version number; ungraded versions are absent. */
  grades: Readonly<Record<number, SourceGrade>>;
}

export type DenialState = ClaimDeniedData;

/**
 * Everything the incident's rules need. Entries are kept as their event
 * data (with amendments applied) because an amendment must be compared with
 * the entry's current values.
 *
 * The collections are persistent (Immutable.js): evolve returns a new state
 * that shares all but the changed path with the previous one, so an event
 * costs the same in an incident of five claims and of fifty thousand.
 * Claims and denials iterate in the order they were recorded.
 */
export interface IncidentState {
  reported: boolean;
  incident?: IncidentReportedData;
  claims: OrderedMap<string, ClaimState>;
  denials: OrderedMap<string, DenialState>;
  amendmentIds: ImmutableSet<string>;
  /** The survivor this incident was merged into: it takes no new claims since. */
  mergedInto?: string;
  /** Incidents merged into this one, by id, with the merge's id. */
  absorbed: ImmutableMap<string, string>;
  /** Claims split off into another incident, by claim id, with that incident's id (their entries stay here). */
  movedOut: ImmutableMap<string, string>;
  /** Splits made from this incident, by split id, with the new incident's id. */
  splits: ImmutableMap<string, string>;
  /** The split this incident was made by, when it was. */
  splitFrom?: { sourceId: string; splitId: string };
}

export const initialIncidentState = (): IncidentState => ({
  reported: false,
  claims: OrderedMap(),
  denials: OrderedMap(),
  amendmentIds: ImmutableSet(),
  absorbed: ImmutableMap(),
  movedOut: ImmutableMap(),
  splits: ImmutableMap(),
});

/** The claim's words as they stand: the latest version that restated them. */
export const currentStatement = (claim: ClaimState): Statement => {
  for (let i = claim.versions.length - 1; i > 0; i--) {
    const statement = claim.versions[i].statement;
    if (statement) return statement;
  }
  return (claim.versions[0] as ClaimMadeData).statement;
};

const notFound = (code: string, message: string, field?: string): never => {
  throw new DomainError(code, message, 'not-found', field);
};
const conflict = (code: string, message: string, field?: string): never => {
  throw new DomainError(code, message, 'conflict', field);
};
const ruleBroken = (code: string, message: string, field?: string): never => {
  throw new DomainError(code, message, 'rule', field);
};

const dedupe = <T>(items: readonly T[]): T[] => [...new Set(items)];

const requireReported = (state: IncidentState, incidentId: string): IncidentReportedData =>
  state.incident && state.incident.incidentId === incidentId
    ? state.incident
    : notFound('incident-not-found', `incident ${incidentId} has not been reported`, 'incidentId');

/**
 * A merged incident points to its survivor: new claims go there. Corrections,
 * retractions, denials and amendments of the entries it holds are still
 * written here, where those entries are recorded (this stream stays their
 * consistency boundary); they count in the survivor.
 */
const requireNotMerged = (state: IncidentState, incidentId: string, field: string): void => {
  if (state.mergedInto === undefined) return;
  throw new DomainError('incident-merged', `incident ${incidentId} was merged into incident ${state.mergedInto}; record new entries there`, 'rule', field, {
    survivorId: state.mergedInto,
    survivor: `/incidents/${state.mergedInto}`,
  });
};

const requireClaim = (state: IncidentState, claimId: string): ClaimState =>
  state.claims.get(claimId) ?? notFound('claim-not-found', `no claim ${claimId} in this incident`, 'claimId');

/** What the claim asserted at one of its versions (every earlier version folded in). */
export const assertionsAtVersion = (claim: ClaimState, version: number): Assertions =>
  version === claim.version ? claim.assertions : currentAssertions(claim.versions.slice(0, version).map((v) => v.assertions));

/** A version of the claim that exists (1 to the current one), or a refusal naming `field`. */
const requireVersion = (claim: ClaimState, version: number, field: string): number =>
  Number.isInteger(version) && version >= 1 && version <= claim.version
    ? version
    : ruleBroken('claim-version-not-found', `claim ${claim.claimId} has no version ${version} (its versions are 1 to ${claim.version})`, field);

/** A denial denies only what the version it addresses asserts. */
const requireAsserted = (claim: ClaimState, version: number, denied: readonly AssertionField[], field: string): void => {
  const asserted = assertedFields(assertionsAtVersion(claim, version));
  denied.forEach((assertion, i) => {
    if (!asserted.includes(assertion)) {
      ruleBroken('assertion-not-made', `claim ${claim.claimId} does not assert ${assertion} at version ${version}`, `${field}[${i}]`);
    }
  });
};

/** Tags trimmed and said once (first spelling kept); the sub-event type only when given. */
const normaliseCategory = ({ eventType, subEventType, tags }: IncidentCategory): IncidentCategory => {
  const seen = new Set<string>();
  const kept = (tags ?? []).map((t) => t.trim()).filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
  return { ...(eventType !== undefined && { eventType }), ...(subEventType !== undefined && { subEventType }), tags: kept };
};

const reportIncident = ({ data, knownParties }: ReportIncident, state: IncidentState): IncidentEvent[] => {
  if (state.reported) conflict('incident-already-reported', `incident ${data.incidentId} is already reported`, 'incidentId');
  requireText(data.title, 'title');
  validateInterval(data.occurred, 'occurred');
  validatePlace(data.location, 'location');
  validateCategory(data.category, 'category');
  if (data.toll !== undefined) validateCasualties(data.toll, knownParties, 'toll');
  const { incidentId, title, summary, occurred, location } = data;
  const category = normaliseCategory(data.category);
  return [{ type: 'IncidentReported', data: { incidentId, title, summary, occurred, location, category, ...(data.toll !== undefined && { toll: data.toll }) } }];
};

const makeClaim = ({ data, knownParties }: MakeClaim, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  requireNotMerged(state, data.incidentId, 'incidentId');
  if (state.claims.has(data.claimId)) conflict('claim-already-exists', `claim ${data.claimId} already exists`, 'claimId');
  requireKnownParty(data.partyId, knownParties, 'partyId');
  // The words are required even when assertions are given: structure stays beside the text, never instead of it.
  validateStatement(data.statement, 'statement');
  validatePointInTime(data.statedAt, 'statedAt');
  const answers = data.answers ?? [];
  answers.forEach((claimId, i) => {
    if (!state.claims.has(claimId)) ruleBroken('unknown-claim', `no claim ${claimId} in this incident`, `answers[${i}]`);
  });
  const assertions = data.assertions ?? {};
  validateAssertions(assertions, knownParties, 'assertions');
  const supersedes = data.supersedes ?? [];
  supersedes.forEach((claimId, i) => requireSupersedable(state, data, claimId, `supersedes[${i}]`));
  const { incidentId, claimId, partyId, statement, statedAt, source } = data;
  return [
    {
      type: 'ClaimMade',
      data: { incidentId, claimId, partyId, statement, statedAt, source, answers: dedupe(answers), assertions, supersedes: dedupe(supersedes) },
    },
  ];
};

/**
 * A claim may replace only its own party's earlier claims that still stand on their own (a retracted claim has
 * nothing left to replace); one already superseded by another claim may be superseded again, so that retracting
 * either replacement leaves it replaced by the other.
 */
const requireSupersedable = (state: IncidentState, data: ClaimMadeData, claimId: string, field: string): void => {
  if (claimId === data.claimId) ruleBroken('cannot-supersede-itself', `claim ${claimId} cannot supersede itself`, field);
  const superseded = state.claims.get(claimId) ?? ruleBroken('unknown-claim', `no claim ${claimId} in this incident`, field);
  if (superseded.partyId !== data.partyId) {
    ruleBroken('cannot-supersede-other-partys-claim', `claim ${claimId} is ${superseded.partyId}'s; a claim supersedes only its own party's claims`, field);
  }
  if (superseded.retracted) ruleBroken('claim-retracted', `claim ${claimId} has been retracted`, field);
};

const denyClaim = ({ data, knownParties }: DenyClaim, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  if (state.denials.has(data.denialId)) conflict('denial-already-exists', `denial ${data.denialId} already exists`, 'denialId');
  const claim = requireClaim(state, data.claimId);
  requireKnownParty(data.partyId, knownParties, 'partyId');
  if (data.partyId === claim.partyId) {
    ruleBroken('cannot-deny-own-claim', 'a party corrects or retracts its own claim; it cannot deny it', 'partyId');
  }
  if (claim.retracted) ruleBroken('claim-retracted', `claim ${claim.claimId} has been retracted`, 'claimId');
  const claimVersion = requireVersion(claim, data.claimVersion ?? claim.version, 'claimVersion');
  const deniedAssertions = data.deniedAssertions ?? [];
  requireAsserted(claim, claimVersion, deniedAssertions, 'deniedAssertions');
  validateStatement(data.statement, 'statement');
  validatePointInTime(data.statedAt, 'statedAt');
  const { incidentId, denialId, claimId, partyId, statement, statedAt, source } = data;
  return [
    {
      type: 'ClaimDenied',
      data: {
        incidentId,
        denialId,
        claimId,
        claimPartyId: claim.partyId,
        partyId,
        statement,
        deniedAssertions: dedupe(deniedAssertions),
        statedAt,
        source,
        claimVersion,
      },
    },
  ];
};

const correctClaim = ({ data, knownParties }: CorrectClaim, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  const claim = requireClaim(state, data.claimId);
  if (data.partyId !== claim.partyId) {
    ruleBroken('only-claimant-may-correct', `only ${claim.partyId} may correct claim ${claim.claimId}`, 'partyId');
  }
  if (claim.retracted) ruleBroken('claim-retracted', `claim ${claim.claimId} has been retracted`, 'claimId');
  requireText(data.reason, 'reason');
  if (data.statement !== undefined) validateStatement(data.statement, 'statement');
  validatePointInTime(data.statedAt, 'statedAt');
  if (data.assertions !== undefined) validateAssertions(data.assertions, knownParties, 'assertions');

  const wordsChange = data.statement !== undefined && !structurallyEqual(data.statement, currentStatement(claim));
  const assertionsChange = !structurallyEqual(applyAssertionChanges(claim.assertions, data.assertions), claim.assertions);
  if (!wordsChange && !assertionsChange) {
    ruleBroken('correction-changes-nothing', `the correction leaves claim ${claim.claimId} as it is`);
  }

  const { incidentId, claimId, partyId, statement, assertions, reason, statedAt, source } = data;
  return [
    {
      type: 'ClaimCorrected',
      data: {
        incidentId,
        claimId,
        partyId,
        version: claim.version + 1,
        ...(statement !== undefined && { statement }),
        ...(assertions !== undefined && { assertions }),
        reason,
        statedAt,
        source,
      },
    },
  ];
};

const retractClaim = ({ data }: RetractClaim, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  const claim = requireClaim(state, data.claimId);
  if (data.partyId !== claim.partyId) {
    ruleBroken('only-claimant-may-retract', `only ${claim.partyId} may retract claim ${claim.claimId}`, 'partyId');
  }
  if (claim.retracted) ruleBroken('claim-retracted', `claim ${claim.claimId} has already been retracted`, 'claimId');
  requireText(data.reason, 'reason');
  if (data.statement !== undefined) validateStatement(data.statement, 'statement');
  validatePointInTime(data.statedAt, 'statedAt');
  const { incidentId, claimId, partyId, reason, statement, statedAt, source } = data;
  return [
    {
      type: 'ClaimRetracted',
      data: { incidentId, claimId, partyId, reason, ...(statement !== undefined && { statement }), statedAt, source },
    },
  ];
};

/**
 * A recorder grades the source and information of one version of a claim. A retracted claim may still be graded:
 * how reliable its source was is the ledger's assessment, not the party's, and does not end with the withdrawal.
 * The same grade again changes nothing and is refused, as a correction or amendment that changes nothing is; a
 * regrade (the version was graded before) must give its reason, so the audit trail says why the grade moved.
 */
const gradeSource = ({ data }: GradeSource, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  const claim = requireClaim(state, data.claimId);
  const claimVersion = requireVersion(claim, data.claimVersion ?? claim.version, 'claimVersion');
  validateGrade(data, '');
  if (data.reason !== undefined) requireText(data.reason, 'reason');
  requireText(data.gradedBy, 'gradedBy');
  validateTimestamp(data.gradedAt, 'gradedAt');
  const previous = claim.grades[claimVersion];
  if (previous && previous.reliability === data.reliability && previous.credibility === data.credibility) {
    ruleBroken('grade-unchanged', `version ${claimVersion} of claim ${claim.claimId} is graded ${data.reliability}${data.credibility} already`);
  }
  if (previous && data.reason === undefined) {
    ruleBroken('text-required', `version ${claimVersion} of claim ${claim.claimId} is graded ${previous.reliability}${previous.credibility}: a regrade must give its reason`, 'reason');
  }
  const { incidentId, claimId, reliability, credibility, reason, gradedBy, gradedAt } = data;
  const graded: SourceGradedData = { incidentId, claimId, claimVersion, reliability, credibility, ...(reason !== undefined && { reason }), gradedBy, gradedAt };
  return [{ type: 'SourceGraded', data: graded }];
};

/** The entry an amendment refers to, with its current values; undefined when there is no such entry. */
const findEntry = (state: IncidentState, ref: EntryRef): object | undefined => {
  switch (ref.kind) {
    case 'incident':
      return state.incident;
    case 'claim': {
      const claim = state.claims.get(ref.claimId);
      return Number.isInteger(ref.version) && ref.version >= 1 ? claim?.versions[ref.version - 1] : undefined;
    }
    case 'denial':
      return state.denials.get(ref.denialId);
    case 'retraction':
      return state.claims.get(ref.claimId)?.retraction;
    default:
      return undefined;
  }
};

const validateChangeValues = (changes: EntryChanges, ref: EntryRef, state: IncidentState, knownParties: ReadonlySet<string>): void => {
  if (changes.title !== undefined) requireText(changes.title, 'changes.title');
  if (changes.occurred !== undefined) validateInterval(changes.occurred, 'changes.occurred');
  if (changes.location !== undefined) validatePlace(changes.location, 'changes.location');
  if (changes.category !== undefined) validateCategory(changes.category, 'changes.category');
  if (changes.toll !== undefined) validateCasualties(changes.toll, knownParties, 'changes.toll');
  if (changes.statement !== undefined) validateStatement(changes.statement, 'changes.statement');
  if (changes.statedAt !== undefined) validatePointInTime(changes.statedAt, 'changes.statedAt');
  if (changes.reason !== undefined) requireText(changes.reason, 'changes.reason');
  if (changes.assertions !== undefined) validateAssertions(changes.assertions, knownParties, 'changes.assertions');
  if ((changes.deniedAssertions !== undefined || changes.claimVersion !== undefined) && ref.kind === 'denial') {
    // Moved to another version or denying other fields, the denial must still deny only what that version asserts.
    const denial = state.denials.get(ref.denialId) as DenialState;
    const claim = state.claims.get(denial.claimId) as ClaimState;
    const version = changes.claimVersion !== undefined ? requireVersion(claim, changes.claimVersion, 'changes.claimVersion') : denial.claimVersion;
    const field = changes.deniedAssertions !== undefined ? 'changes.deniedAssertions' : 'changes.claimVersion';
    requireAsserted(claim, version, changes.deniedAssertions ?? denial.deniedAssertions, field);
  }
};

const amendEntry = ({ data, knownParties }: AmendEntry, state: IncidentState): IncidentEvent[] => {
  const { incidentId, amendmentId, entry: ref, reason } = data;
  const changes = data.changes ?? {};
  const entry = ref && state.incident?.incidentId === incidentId ? findEntry(state, ref) : undefined;
  if (!entry) notFound('entry-not-found', `no ${ref?.kind ?? ''} entry matching the reference in incident ${incidentId}`, 'entry');
  if (state.amendmentIds.has(amendmentId)) conflict('amendment-already-exists', `amendment ${amendmentId} already exists`, 'amendmentId');

  const keys = changedEntryKeys(changes);
  if (keys.length === 0) ruleBroken('field-not-amendable', 'changes must name at least one field', 'changes');
  const amendable = AMENDABLE_FIELDS[ref.kind];
  for (const key of keys) {
    if (!amendable.includes(key)) ruleBroken('field-not-amendable', `${key} of a ${ref.kind} entry cannot be amended`, `changes.${key}`);
  }
  requireText(reason, 'reason');
  validateChangeValues(changes, ref, state, knownParties);

  const current = entry as Record<string, unknown>;
  if (keys.every((key) => structurallyEqual(changes[key], current[key]))) {
    ruleBroken('amendment-changes-nothing', 'the amendment repeats what the entry already says', 'changes');
  }
  return [{ type: 'EntryAmended', data: { incidentId, amendmentId, entry: ref, changes, reason } }];
};

/**
 * The commit point of a merge, decided on the absorbed incident's stream: the
 * expected revision of this append orders it against every concurrent claim
 * (a claim stored before it is merged with the rest; one arriving after it is
 * refused with a pointer to the survivor), and against a concurrent merge of
 * this incident into another survivor (only one IncidentMergedInto can land).
 * Merging again into the same survivor changes nothing (no events).
 */
const mergeInto = ({ data, survivor }: MergeInto, state: IncidentState): IncidentEvent[] => {
  const { incidentId, survivorId, mergeId, reason } = data;
  if (incidentId === survivorId) ruleBroken('merge-into-itself', `incident ${incidentId} cannot be merged into itself`, 'survivorId');
  requireReported(state, incidentId);
  if (!survivor.reported) notFound('incident-not-found', `incident ${survivorId} has not been reported`, 'survivorId');
  if (state.mergedInto === survivorId) return [];
  requireNotMerged(state, incidentId, 'incidentId');
  if (survivor.mergedInto !== undefined) {
    throw new DomainError('incident-merged', `incident ${survivorId} was merged into incident ${survivor.mergedInto}; merge into that one`, 'rule', 'survivorId', {
      survivorId: survivor.mergedInto,
      survivor: `/incidents/${survivor.mergedInto}`,
    });
  }
  if (state.absorbed.has(survivorId)) ruleBroken('merge-cycle', `incident ${survivorId} was merged into incident ${incidentId}; it cannot be its survivor`, 'survivorId');
  requireText(reason, 'reason');
  return [{ type: 'IncidentMergedInto', data: { incidentId, survivorId, mergeId, reason } }];
};

/**
 * The survivor's record of a merge committed on the absorbed stream. It is
 * never refused for what the survivor became since (merged itself meanwhile:
 * the pointers then chain), and recorded once per absorbed incident, so the
 * merge command re-sent after a crash between the two appends completes it.
 */
const recordMerge = ({ data }: RecordMerge, state: IncidentState): IncidentEvent[] => {
  requireReported(state, data.incidentId);
  if (state.absorbed.has(data.absorbedId)) return [];
  const { incidentId, absorbedId, mergeId, absorbedRevision, reason } = data;
  return [{ type: 'IncidentsMerged', data: { incidentId, absorbedId, mergeId, absorbedRevision, reason } }];
};

/**
 * The commit point of a split, on the source incident's stream: the chosen
 * claims count from now on in the new incident. They stay recorded here, so
 * their corrections, denials and retractions are still decided by this
 * stream's rules; a claim moves out once.
 */
const splitIncident = ({ data }: SplitIncident, state: IncidentState): IncidentEvent[] => {
  const { incidentId, newIncidentId, splitId, reason } = data;
  requireReported(state, incidentId);
  const done = state.splits.get(splitId);
  if (done !== undefined) {
    if (done === newIncidentId) return [];
    conflict('split-already-exists', `split ${splitId} already made incident ${done}`, 'splitId');
  }
  requireNotMerged(state, incidentId, 'incidentId');
  if (newIncidentId === incidentId) ruleBroken('split-into-itself', `incident ${incidentId} cannot be split into itself`, 'newIncidentId');
  const claimIds = dedupe(data.claimIds ?? []);
  if (claimIds.length === 0) ruleBroken('split-needs-claims', 'a split moves at least one claim', 'claimIds');
  claimIds.forEach((claimId, i) => {
    if (!state.claims.has(claimId)) ruleBroken('unknown-claim', `no claim ${claimId} recorded under this incident`, `claimIds[${i}]`);
    const movedTo = state.movedOut.get(claimId);
    if (movedTo !== undefined) ruleBroken('claim-moved', `claim ${claimId} was split off into incident ${movedTo}`, `claimIds[${i}]`);
  });
  requireText(reason, 'reason');
  return [{ type: 'IncidentSplit', data: { incidentId, newIncidentId, splitId, claimIds, reason } }];
};

/** The new incident of a split: its report and where it came from, on a stream that must be new (or hold exactly this split). */
const recordSplit = ({ report, data, knownParties }: RecordSplit, state: IncidentState): IncidentEvent[] => {
  if (state.splitFrom?.splitId === data.splitId) return [];
  const [reported] = reportIncident({ type: 'ReportIncident', data: { ...report, incidentId: data.incidentId }, knownParties }, state);
  const { incidentId, sourceId, splitId, claimIds, sourceRevision, reason } = data;
  return [reported, { type: 'IncidentSplitFrom', data: { incidentId, sourceId, splitId, claimIds, sourceRevision, reason } }];
};

const withClaim = (state: IncidentState, claimId: string, update: (claim: ClaimState) => ClaimState): IncidentState => {
  const claim = state.claims.get(claimId);
  return claim ? { ...state, claims: state.claims.set(claimId, update(claim)) } : state;
};

const withVersions = (claim: ClaimState, versions: ClaimVersionData[]): ClaimState => ({
  ...claim,
  versions,
  version: versions.length,
  assertions: currentAssertions(versions.map((v) => v.assertions)),
});

const evolveAmendment = (state: IncidentState, data: AmendEntry['data']): IncidentState => {
  const ref = data.entry;
  const next = { ...state, amendmentIds: state.amendmentIds.add(data.amendmentId) };
  switch (ref.kind) {
    case 'incident':
      return next.incident ? { ...next, incident: applyEntryChanges(next.incident, data.changes) } : next;
    case 'claim':
      return withClaim(next, ref.claimId, (claim) =>
        withVersions(
          claim,
          claim.versions.map((v, i) => (i === ref.version - 1 ? applyEntryChanges(v, data.changes) : v)),
        ),
      );
    case 'denial': {
      const denial = next.denials.get(ref.denialId);
      return denial ? { ...next, denials: next.denials.set(ref.denialId, applyEntryChanges(denial, data.changes)) } : next;
    }
    case 'retraction':
      return withClaim(next, ref.claimId, (claim) =>
        claim.retraction ? { ...claim, retraction: applyEntryChanges(claim.retraction, data.changes) } : claim,
      );
    default:
      return next;
  }
};

export const incidentDecider: Decider<IncidentState, IncidentCommand, IncidentEvent> = {
  initialState: initialIncidentState,
  decide: (command, state) => {
    switch (command.type) {
      case 'ReportIncident':
        return reportIncident(command, state);
      case 'MakeClaim':
        return makeClaim(command, state);
      case 'DenyClaim':
        return denyClaim(command, state);
      case 'CorrectClaim':
        return correctClaim(command, state);
      case 'RetractClaim':
        return retractClaim(command, state);
      case 'AmendEntry':
        return amendEntry(command, state);
      case 'GradeSource':
        return gradeSource(command, state);
      case 'MergeInto':
        return mergeInto(command, state);
      case 'RecordMerge':
        return recordMerge(command, state);
      case 'SplitIncident':
        return splitIncident(command, state);
      case 'RecordSplit':
        return recordSplit(command, state);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'IncidentReported':
        return { ...state, reported: true, incident: event.data };
      case 'ClaimMade': {
        const { claimId, partyId } = event.data;
        const claim = withVersions({ claimId, partyId, version: 0, versions: [], assertions: {}, retracted: false, grades: {} }, [event.data]);
        return { ...state, claims: state.claims.set(claimId, claim) };
      }
      case 'ClaimDenied': {
        const claimVersion = boundClaimVersion(event.data, state.claims.get(event.data.claimId)?.version);
        return { ...state, denials: state.denials.set(event.data.denialId, { ...event.data, claimVersion }) };
      }
      case 'ClaimCorrected':
        return withClaim(state, event.data.claimId, (claim) => withVersions(claim, [...claim.versions, event.data]));
      case 'ClaimRetracted':
        return withClaim(state, event.data.claimId, (claim) => ({ ...claim, retracted: true, retraction: event.data }));
      case 'EntryAmended':
        return evolveAmendment(state, event.data);
      case 'SourceGraded': {
        const { claimId, claimVersion, reliability, credibility } = event.data;
        return withClaim(state, claimId, (claim) => ({ ...claim, grades: { ...claim.grades, [claimVersion]: { reliability, credibility } } }));
      }
      case 'IncidentMergedInto':
        return { ...state, mergedInto: event.data.survivorId };
      case 'IncidentsMerged':
        return { ...state, absorbed: state.absorbed.set(event.data.absorbedId, event.data.mergeId) };
      case 'IncidentSplit': {
        const { newIncidentId, splitId, claimIds } = event.data;
        const movedOut = state.movedOut.withMutations((moved) => claimIds.forEach((claimId) => moved.set(claimId, newIncidentId)));
        return { ...state, movedOut, splits: state.splits.set(splitId, newIncidentId) };
      }
      case 'IncidentSplitFrom':
        return { ...state, splitFrom: { sourceId: event.data.sourceId, splitId: event.data.splitId } };
      default:
        return unhandled(event, 'incident event');
    }
  },
};
