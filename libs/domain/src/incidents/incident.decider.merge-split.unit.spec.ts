import { DeciderSpecification } from '../testing/decider-specification';
import {
  ALL_PARTIES,
  INCIDENT_ID,
  azDefenceClaim,
  claimMade,
  correctClaim,
  denyClaim,
  incidentData,
  incidentReported,
  karabakhArmyClaim,
  makeClaim,
  PARTY,
} from '../testing/seed-article.fixtures';
import { IncidentEvent } from './incident.events';
import { MergeInto, RecordMerge, RecordSplit, SplitIncident } from './incident.commands';
import { incidentDecider } from './incident.decider';

const spec = DeciderSpecification.for(incidentDecider);

const ABSORBED = INCIDENT_ID;
const SURVIVOR = '7d6f0f4e-1a57-4c43-9a0e-2019060300b2';
const OTHER = '9a1c2b3d-4e5f-4a6b-8c7d-2019060300c3';
const NEW_INCIDENT = 'c0ffee00-0000-4000-8000-2019060300d4';

const merged = { incidentId: ABSORBED, survivorId: SURVIVOR, mergeId: 'merge-1', reason: 'Same night, same sector: one event reported twice' };
const mergeInto = (data: Partial<MergeInto['data']> = {}, survivor: MergeInto['survivor'] = { reported: true }): MergeInto => ({
  type: 'MergeInto',
  data: { ...merged, ...data },
  survivor,
});
const mergedInto = (data: Partial<MergeInto['data']> = {}): IncidentEvent => ({ type: 'IncidentMergedInto', data: { ...merged, ...data } });

const recorded = { incidentId: SURVIVOR, absorbedId: ABSORBED, mergeId: 'merge-1', absorbedRevision: '3', reason: merged.reason };
const recordMerge = (data: Partial<RecordMerge['data']> = {}): RecordMerge => ({ type: 'RecordMerge', data: { ...recorded, ...data } });
const incidentsMerged = (data: Partial<RecordMerge['data']> = {}): IncidentEvent => ({ type: 'IncidentsMerged', data: { ...recorded, ...data } });

const split = {
  incidentId: INCIDENT_ID,
  newIncidentId: NEW_INCIDENT,
  splitId: 'split-1',
  claimIds: [karabakhArmyClaim.claimId],
  reason: 'The Karabakh army speaks of another night',
};
const splitIncident = (data: Partial<SplitIncident['data']> = {}): SplitIncident => ({ type: 'SplitIncident', data: { ...split, ...data } });
const incidentSplit = (data: Partial<SplitIncident['data']> = {}): IncidentEvent => ({ type: 'IncidentSplit', data: { ...split, ...data } });

const splitFrom = { incidentId: NEW_INCIDENT, sourceId: INCIDENT_ID, splitId: 'split-1', claimIds: split.claimIds, sourceRevision: '2', reason: split.reason };
const newReport = { ...incidentData, incidentId: NEW_INCIDENT, title: 'Night of 1 June on the line of contact' };
const recordSplit = (data: Partial<RecordSplit['data']> = {}): RecordSplit => ({
  type: 'RecordSplit',
  report: newReport,
  data: { ...splitFrom, ...data },
  knownParties: ALL_PARTIES,
});

const absorbedGiven = [incidentReported(), claimMade(azDefenceClaim)];
const survivorGiven = [incidentReported({ incidentId: SURVIVOR })];

describe('MergeInto (the absorbed incident’s stream: the merge’s commit point)', () => {
  it('records that the incident is the same event as the survivor', () => {
    spec.given(absorbedGiven).when(mergeInto()).then([mergedInto()]);
  });

  it('is idempotent: merging again into the same survivor records nothing, whatever the merge id', () => {
    spec.given([...absorbedGiven, mergedInto()]).when(mergeInto({ mergeId: 'merge-2' })).then([]);
  });

  it('refuses a merge into itself', () => {
    spec.given(absorbedGiven).when(mergeInto({ survivorId: ABSORBED })).thenThrows('merge-into-itself', { kind: 'rule', field: 'survivorId' });
  });

  it('refuses an incident already merged into another survivor, pointing to it', () => {
    const error = spec
      .given([...absorbedGiven, mergedInto({ survivorId: OTHER })])
      .when(mergeInto())
      .thenThrows('incident-merged', { kind: 'rule', field: 'incidentId' });
    expect(error.details).toEqual({ survivorId: OTHER, survivor: `/incidents/${OTHER}` });
  });

  it('refuses a survivor that was merged itself, pointing to its survivor', () => {
    const error = spec.given(absorbedGiven).when(mergeInto({}, { reported: true, mergedInto: OTHER })).thenThrows('incident-merged', { field: 'survivorId' });
    expect(error.details?.survivorId).toBe(OTHER);
  });

  it('refuses a survivor that is not reported (not found)', () => {
    spec.given(absorbedGiven).when(mergeInto({}, { reported: false })).thenThrows('incident-not-found', { kind: 'not-found', field: 'survivorId' });
  });

  it('refuses an absorbed incident that is not reported (not found)', () => {
    spec.given([]).when(mergeInto()).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses a cycle: the survivor was merged into this incident', () => {
    spec
      .given([...absorbedGiven, { type: 'IncidentsMerged', data: { ...recorded, incidentId: ABSORBED, absorbedId: SURVIVOR } }])
      .when(mergeInto())
      .thenThrows('merge-cycle', { field: 'survivorId' });
  });

  it('requires a reason', () => {
    spec.given(absorbedGiven).when(mergeInto({ reason: ' ' })).thenThrows('text-required', { field: 'reason' });
  });
});

describe('after a merge, the absorbed incident', () => {
  const given = [...absorbedGiven, mergedInto()];

  it('refuses a new claim, pointing to the survivor', () => {
    const error = spec.given(given).when(makeClaim(karabakhArmyClaim)).thenThrows('incident-merged', { kind: 'rule', field: 'incidentId' });
    expect(error.details).toEqual({ survivorId: SURVIVOR, survivor: `/incidents/${SURVIVOR}` });
  });

  it('still takes corrections of the claims recorded under it (their consistency boundary)', () => {
    const correction = {
      incidentId: ABSORBED,
      claimId: azDefenceClaim.claimId,
      partyId: PARTY.azDefence,
      statement: { text: 'Two officers were killed.', verbatim: false },
      reason: 'Updated',
      statedAt: { at: '2019-06-04', precision: 'day' as const },
      source: azDefenceClaim.source,
    };
    expect(incidentDecider.decide(correctClaim(correction), given.reduce(incidentDecider.evolve, incidentDecider.initialState()))).toHaveLength(1);
  });

  it('still takes denials of the claims recorded under it', () => {
    const state = given.reduce(incidentDecider.evolve, incidentDecider.initialState());
    expect(incidentDecider.decide(denyClaim({ claimId: azDefenceClaim.claimId }), state)[0].type).toBe('ClaimDenied');
  });
});

describe('RecordMerge (the survivor’s stream)', () => {
  it('records the absorbed incident', () => {
    spec.given(survivorGiven).when(recordMerge()).then([incidentsMerged()]);
  });

  it('records it once: re-sent after a crash or a retry, nothing more', () => {
    spec.given([...survivorGiven, incidentsMerged()]).when(recordMerge({ mergeId: 'merge-2' })).then([]);
  });

  it('is not refused when the survivor was merged itself meanwhile (the pointers chain)', () => {
    spec
      .given([...survivorGiven, { type: 'IncidentMergedInto', data: { ...merged, incidentId: SURVIVOR, survivorId: OTHER } }])
      .when(recordMerge())
      .then([incidentsMerged()]);
  });
});

describe('SplitIncident (the source incident’s stream: the split’s commit point)', () => {
  const given = [incidentReported(), claimMade(azDefenceClaim), claimMade(karabakhArmyClaim)];

  it('moves the chosen claims into the new incident', () => {
    spec.given(given).when(splitIncident()).then([incidentSplit()]);
  });

  it('names each claim once', () => {
    spec.given(given).when(splitIncident({ claimIds: [karabakhArmyClaim.claimId, karabakhArmyClaim.claimId] })).then([incidentSplit()]);
  });

  it('is idempotent by split id', () => {
    spec.given([...given, incidentSplit()]).when(splitIncident()).then([]);
  });

  it('refuses a split id reused for another new incident', () => {
    spec.given([...given, incidentSplit()]).when(splitIncident({ newIncidentId: OTHER })).thenThrows('split-already-exists', { kind: 'conflict' });
  });

  it('refuses to move a claim twice', () => {
    spec
      .given([...given, incidentSplit()])
      .when(splitIncident({ splitId: 'split-2', newIncidentId: OTHER }))
      .thenThrows('claim-moved', { field: 'claimIds[0]' });
  });

  it('refuses a claim not recorded under the incident', () => {
    spec.given(given).when(splitIncident({ claimIds: ['no-such-claim'] })).thenThrows('unknown-claim', { field: 'claimIds[0]' });
  });

  it('refuses a split without claims', () => {
    spec.given(given).when(splitIncident({ claimIds: [] })).thenThrows('split-needs-claims', { field: 'claimIds' });
  });

  it('refuses a split into itself', () => {
    spec.given(given).when(splitIncident({ newIncidentId: INCIDENT_ID })).thenThrows('split-into-itself', { field: 'newIncidentId' });
  });

  it('refuses a split of a merged incident, pointing to its survivor', () => {
    spec.given([...given, mergedInto()]).when(splitIncident()).thenThrows('incident-merged', { field: 'incidentId' });
  });

  it('keeps deciding on a moved claim: its correction is still recorded where it was made', () => {
    const state = [...given, incidentSplit()].reduce(incidentDecider.evolve, incidentDecider.initialState());
    expect(state.movedOut.get(karabakhArmyClaim.claimId)).toBe(NEW_INCIDENT);
    expect(incidentDecider.decide(denyClaim({ claimId: karabakhArmyClaim.claimId, partyId: PARTY.azDefence }), state)[0].type).toBe('ClaimDenied');
  });
});

describe('RecordSplit (the new incident’s stream)', () => {
  it('reports the new incident and where its claims came from', () => {
    spec.given([]).when(recordSplit()).then([{ type: 'IncidentReported', data: newReport }, { type: 'IncidentSplitFrom', data: splitFrom }]);
  });

  it('records it once', () => {
    spec.given([{ type: 'IncidentReported', data: newReport }, { type: 'IncidentSplitFrom', data: splitFrom }]).when(recordSplit()).then([]);
  });

  it('refuses an id of an incident already reported (conflict)', () => {
    spec.given([incidentReported({ incidentId: NEW_INCIDENT })]).when(recordSplit()).thenThrows('incident-already-reported', { kind: 'conflict' });
  });

  it('validates the new incident’s report like any report', () => {
    spec.given([]).when({ ...recordSplit(), report: { ...newReport, title: '' } }).thenThrows('text-required', { field: 'title' });
  });
});
