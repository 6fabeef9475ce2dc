import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  ALL_PARTIES,
  article,
  azDefenceClaim,
  claimCorrected,
  claimMade,
  claimRetracted,
  correctClaim,
  incidentReported,
  PARTY,
} from '../testing/seed-article.fixtures';
import { CorrectClaim } from './incident.commands';
import { incidentDecider } from './incident.decider';
import { ClaimCorrectedData } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);
const given = [incidentReported(), claimMade(azDefenceClaim)];

const omarov = { name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' as const };

/** A correction that restates nothing yet. */
const base: CorrectClaim['data'] = {
  incidentId: azDefenceClaim.incidentId,
  claimId: azDefenceClaim.claimId,
  partyId: PARTY.azDefence,
  reason: 'The ministry later reported a second serviceman wounded',
  statedAt: { at: '2019-05-31', precision: 'day' },
  source: article,
};
/** Baku revises its count: a second serviceman was wounded. */
const correction: CorrectClaim['data'] = {
  ...base,
  assertions: { casualties: [{ side: PARTY.azDefence, killed: { best: 1 }, wounded: { best: 1 }, named: [omarov] }] },
};
const corrected = (data: Partial<ClaimCorrectedData> = {}) => claimCorrected({ ...correction, version: 2, ...data });

describe('CorrectClaim', () => {
  it('records the claimant changing its own claim as version 2', () => {
    spec.given(given).when(correctClaim(correction)).then([corrected()]);
  });

  it('numbers a further correction as version 3', () => {
    const located = { ...correction, assertions: { location: { name: 'Near the line of contact', precision: 'region' as const } } };
    spec.given([...given, corrected()]).when(correctClaim(located)).then([corrected({ ...located, version: 3 })]);
  });

  it('accepts a correction of the words alone', () => {
    const words = { text: 'Officer Aqil Omarov was killed by Armenian sniper fire.', verbatim: false, language: 'en' };
    spec
      .given(given)
      .when(correctClaim({ ...base, statement: words }))
      .then([claimCorrected({ ...base, statement: words, version: 2 })]);
  });

  it('replaces only the assertion fields the correction names', () => {
    const state = fold(incidentDecider, [...given, corrected()]);
    expect(state.claims.get(azDefenceClaim.claimId)).toMatchObject({
      version: 2,
      assertions: { ...azDefenceClaim.assertions, casualties: correction.assertions?.casualties },
    });
  });

  it('refuses a correction in an incident that has not been reported (not found)', () => {
    spec.given([]).when(correctClaim(correction)).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses to correct a claim that does not exist (not found)', () => {
    spec
      .given([incidentReported()])
      .when(correctClaim(correction))
      .thenThrows('claim-not-found', { kind: 'not-found', field: 'claimId' });
  });

  it('refuses a correction by anyone but the claimant', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, partyId: PARTY.karabakhArmy }))
      .thenThrows('only-claimant-may-correct', { kind: 'rule', field: 'partyId' });
  });

  it('refuses to correct a retracted claim', () => {
    const retracted = claimRetracted({
      incidentId: azDefenceClaim.incidentId,
      claimId: azDefenceClaim.claimId,
      partyId: PARTY.azDefence,
      reason: 'withdrawn',
      statedAt: { at: '2019-06-02', precision: 'day' },
      source: article,
    });
    spec
      .given([...given, retracted])
      .when(correctClaim(correction))
      .thenThrows('claim-retracted', { kind: 'rule', field: 'claimId' });
  });

  it('refuses a correction with neither words nor assertions', () => {
    spec.given(given).when(correctClaim(base)).thenThrows('correction-changes-nothing', { kind: 'rule' });
  });

  it('refuses a correction that restates the current assertions', () => {
    const same = { ...correction, assertions: { ceasefire: azDefenceClaim.assertions.ceasefire } };
    spec.given(given).when(correctClaim(same)).thenThrows('correction-changes-nothing', { kind: 'rule' });
  });

  it('refuses a correction that repeats what an earlier correction already said', () => {
    spec.given([...given, corrected()]).when(correctClaim(correction)).thenThrows('correction-changes-nothing', { kind: 'rule' });
  });

  it('refuses a correction that repeats the current words', () => {
    spec
      .given(given)
      .when(correctClaim({ ...base, statement: azDefenceClaim.statement }))
      .thenThrows('correction-changes-nothing', { kind: 'rule' });
  });

  it('refuses a correction without a reason', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, reason: ' ' }))
      .thenThrows('text-required', { kind: 'rule', field: 'reason' });
  });

  it('refuses blank corrected words', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, statement: { text: '', verbatim: false } }))
      .thenThrows('text-required', { kind: 'rule', field: 'statement.text' });
  });

  it('refuses an unregistered party in the corrected assertions', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, assertions: { responsibleParties: ['armenian-army'] } }, ALL_PARTIES))
      .thenThrows('unknown-party', { kind: 'rule', field: 'assertions.responsibleParties[0]' });
  });

  it('refuses an invalid estimate in the corrected assertions', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, assertions: { casualties: [{ side: PARTY.azDefence, killed: { best: 1, low: 2 } }] } }))
      .thenThrows('invalid-estimate', { kind: 'rule', field: 'assertions.casualties[0].killed' });
  });

  it('refuses a stated time that is not an ISO-8601 date', () => {
    spec
      .given(given)
      .when(correctClaim({ ...correction, statedAt: { at: '31/05/2019', precision: 'day' } }))
      .thenThrows('invalid-time', { kind: 'rule', field: 'statedAt.at' });
  });
});
