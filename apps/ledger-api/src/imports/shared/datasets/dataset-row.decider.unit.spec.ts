import { ClaimMadeData, DeciderSpecification, IncidentEvent, IncidentReportedData } from '@ledger/domain';
import { datasetRowDecider, SyncDatasetRow } from './dataset-row.decider';

const spec = DeciderSpecification.for(datasetRowDecider);

const incidentId = '5a8e8f7e-0d7b-5c55-9f3e-7a1d2f0b9c01';
const claimId = '5a8e8f7e-0d7b-5c55-9f3e-7a1d2f0b9c02';

const incident: IncidentReportedData = {
  incidentId,
  title: 'Armed clash: Tartar, Azerbaijan (ACLED AZE1)',
  summary: '',
  occurred: { from: '2019-05-31', to: '2019-05-31', precision: 'day' },
  location: { name: 'Tartar, Azerbaijan', precision: 'settlement' },
  category: { eventType: 'battles', subEventType: 'armed-clash', tags: [] },
};

const claim: ClaimMadeData = {
  incidentId,
  claimId,
  partyId: 'acled',
  statement: { text: 'ACLED AZE1: Battles / Armed clash.\nFatalities: 1 fatality.', verbatim: false, language: 'en' },
  statedAt: { at: '2019-06-01T00:00:00.000Z', precision: 'exact' },
  source: { title: 'ACLED event AZE1, release 1', publisher: 'ACLED', publishedAt: '2019-06-04' },
  answers: [],
  supersedes: [],
  assertions: {
    casualties: [{ killed: { best: 1 } }],
    occurred: { from: '2019-05-31', to: '2019-05-31', precision: 'day' },
    location: { name: 'Tartar, Azerbaijan', precision: 'settlement' },
  },
};

const newerSource = { title: 'ACLED event AZE1, release 2', publisher: 'ACLED', publishedAt: '2019-07-01' };

const row = (claimData: ClaimMadeData = claim): SyncDatasetRow => ({
  type: 'SyncDatasetRow',
  incident,
  claim: claimData,
  correction: { reason: 'Row AZE1 changed in release 2', statedAt: claimData.statedAt, source: claimData.source },
  knownParties: new Set(['acled']),
});

const imported: IncidentEvent[] = [
  { type: 'IncidentReported', data: incident },
  { type: 'ClaimMade', data: claim },
];

describe('a dataset row in its incident stream', () => {
  it('given no incident, when the row is imported, then the incident and the monitor’s claim are recorded together', () => {
    spec.given([]).when(row()).then(imported);
  });

  it('given the incident but not the claim (reported by hand), when the row is imported, then only the claim is recorded', () => {
    spec.given([imported[0]]).when(row()).then([imported[1]]);
  });

  it('given the row as imported, when it is imported again (even from a later release), then nothing is recorded', () => {
    const later = { ...claim, statedAt: { at: '2019-07-01', precision: 'day' as const }, source: newerSource };
    spec.given(imported).when(row(later)).thenThrows('dataset-row-unchanged', { kind: 'rule' });
  });

  it('given the row as imported, when a newer release changes the fatalities, then one correction carries the changed field and words only', () => {
    const changed: ClaimMadeData = {
      ...claim,
      statement: { ...claim.statement, text: 'ACLED AZE1: Battles / Armed clash.\nFatalities: 3 fatalities.' },
      statedAt: { at: '2019-07-01T00:00:00.000Z', precision: 'exact' },
      source: newerSource,
      assertions: { ...claim.assertions, casualties: [{ killed: { best: 3 } }] },
    };
    spec
      .given(imported)
      .when(row(changed))
      .then({
        type: 'ClaimCorrected',
        data: {
          incidentId,
          claimId,
          partyId: 'acled',
          version: 2,
          statement: changed.statement,
          assertions: { casualties: [{ killed: { best: 3 } }] },
          reason: 'Row AZE1 changed in release 2 (changed: casualties, words)',
          statedAt: changed.statedAt,
          source: newerSource,
        },
      });
  });

  it('given a correction, when the corrected release is imported again, then nothing is recorded', () => {
    const changed: ClaimMadeData = { ...claim, assertions: { ...claim.assertions, casualties: [{ killed: { best: 3 } }] } };
    const corrected: IncidentEvent = {
      type: 'ClaimCorrected',
      data: { incidentId, claimId, partyId: 'acled', version: 2, assertions: { casualties: [{ killed: { best: 3 } }] }, reason: 'r', statedAt: claim.statedAt, source: newerSource },
    };
    spec.given([...imported, corrected]).when(row(changed)).thenThrows('dataset-row-unchanged');
  });

  it('given the monitor’s claim was retracted, when the row comes again, then it is refused rather than revived', () => {
    const retracted: IncidentEvent = { type: 'ClaimRetracted', data: { incidentId, claimId, partyId: 'acled', reason: 'row deleted', statedAt: claim.statedAt, source: newerSource } };
    spec.given([...imported, retracted]).when(row()).thenThrows('claim-retracted', { kind: 'rule' });
  });

  it('given no incident, when the claim names a party not registered, then nothing of the row is recorded', () => {
    const blaming = { ...claim, assertions: { ...claim.assertions, responsibleParties: ['acled-someone'] } };
    spec.given([]).when(row(blaming)).thenThrows('unknown-party', { field: 'assertions.responsibleParties[0]' });
  });
});
