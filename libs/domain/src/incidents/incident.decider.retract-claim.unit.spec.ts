import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  article,
  azDefenceClaim,
  claimMade,
  claimRetracted,
  correctClaim,
  denyClaim,
  incidentReported,
  PARTY,
  retractClaim,
} from '../testing/seed-article.fixtures';
import { RetractClaim } from './incident.commands';
import { incidentDecider } from './incident.decider';

const spec = DeciderSpecification.for(incidentDecider);
const given = [incidentReported(), claimMade(azDefenceClaim)];

const retraction: RetractClaim['data'] = {
  incidentId: azDefenceClaim.incidentId,
  claimId: azDefenceClaim.claimId,
  partyId: PARTY.azDefence,
  reason: 'The ministry withdrew the report pending an inquiry',
  statedAt: { at: '2019-06-02', precision: 'day' },
  source: article,
};
const retracted = claimRetracted(retraction);

describe('RetractClaim', () => {
  it('records the claimant withdrawing its own claim', () => {
    spec.given(given).when(retractClaim(retraction)).then([retracted]);
  });

  it('keeps the words of the retraction when given', () => {
    const statement = { text: 'The earlier report is withdrawn.', verbatim: false };
    spec.given(given).when(retractClaim({ ...retraction, statement })).then([claimRetracted({ ...retraction, statement })]);
  });

  it('marks the claim retracted in the state', () => {
    expect(fold(incidentDecider, [...given, retracted]).claims.get(azDefenceClaim.claimId)).toMatchObject({
      retracted: true,
      retraction,
    });
  });

  it('refuses a retraction in an incident that has not been reported (not found)', () => {
    spec.given([]).when(retractClaim(retraction)).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses to retract a claim that does not exist (not found)', () => {
    spec
      .given([incidentReported()])
      .when(retractClaim(retraction))
      .thenThrows('claim-not-found', { kind: 'not-found', field: 'claimId' });
  });

  it('refuses a retraction by anyone but the claimant', () => {
    spec
      .given(given)
      .when(retractClaim({ ...retraction, partyId: PARTY.azForeign }))
      .thenThrows('only-claimant-may-retract', { kind: 'rule', field: 'partyId' });
  });

  it('refuses to retract a claim twice', () => {
    spec
      .given([...given, retracted])
      .when(retractClaim(retraction))
      .thenThrows('claim-retracted', { kind: 'rule', field: 'claimId' });
  });

  it('refuses a retraction without a reason', () => {
    spec
      .given(given)
      .when(retractClaim({ ...retraction, reason: '' }))
      .thenThrows('text-required', { kind: 'rule', field: 'reason' });
  });

  it('refuses blank words of retraction', () => {
    spec
      .given(given)
      .when(retractClaim({ ...retraction, statement: { text: ' ', verbatim: true } }))
      .thenThrows('text-required', { kind: 'rule', field: 'statement.text' });
  });

  it('refuses a stated time that is not an ISO-8601 date', () => {
    spec
      .given(given)
      .when(retractClaim({ ...retraction, statedAt: { at: '', precision: 'day' } }))
      .thenThrows('invalid-time', { kind: 'rule', field: 'statedAt.at' });
  });

  describe('after a retraction', () => {
    it('the claim can no longer be corrected', () => {
      spec
        .given([...given, retracted])
        .when(
          correctClaim({
            ...retraction,
            statement: { text: 'Two servicemen were killed.', verbatim: false },
            reason: 'Reinstated with a new count',
          }),
        )
        .thenThrows('claim-retracted', { kind: 'rule', field: 'claimId' });
    });

    it('the claim can no longer be denied', () => {
      spec.given([...given, retracted]).when(denyClaim()).thenThrows('claim-retracted', { kind: 'rule', field: 'claimId' });
    });
  });
});
