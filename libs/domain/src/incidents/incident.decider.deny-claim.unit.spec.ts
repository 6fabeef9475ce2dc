import { DeciderSpecification } from '../testing/decider-specification';
import {
  ALL_PARTIES,
  amForeignClaim,
  article,
  azDefenceClaim,
  azForeignClaim,
  claimCorrected,
  claimDenied,
  claimMade,
  claimRetracted,
  denyClaim,
  incidentReported,
  karabakhDenial,
  PARTY,
} from '../testing/seed-article.fixtures';
import { incidentDecider } from './incident.decider';

const spec = DeciderSpecification.for(incidentDecider);
const given = [incidentReported(), claimMade(azDefenceClaim)];

describe('DenyClaim', () => {
  it("records the Karabakh army's denial of the ceasefire breach, copying the claimant from the claim", () => {
    spec.given(given).when(denyClaim()).then([claimDenied(karabakhDenial)]);
  });

  it('denies a claim as a whole when no assertion is named (Baku brushes aside Yerevan\'s "emotional" statement)', () => {
    const denial = {
      denialId: 'denial-az-foreign',
      claimId: amForeignClaim.claimId,
      partyId: PARTY.azForeign,
      statement: { text: 'The statement is "emotional" and "contradictory".', verbatim: false },
      deniedAssertions: [],
    };
    spec
      .given([incidentReported(), claimMade(azForeignClaim), claimMade(amForeignClaim)])
      .when(denyClaim(denial))
      .then([claimDenied({ ...karabakhDenial, ...denial, claimPartyId: PARTY.amForeign })]);
  });

  it('lets a party deny the same claim again, under a new denial id', () => {
    spec
      .given([...given, claimDenied()])
      .when(denyClaim({ denialId: 'denial-karabakh-army-2' }))
      .then([claimDenied({ ...karabakhDenial, denialId: 'denial-karabakh-army-2' })]);
  });

  it('drops repeated denied assertions', () => {
    spec
      .given(given)
      .when(denyClaim({ deniedAssertions: ['ceasefire', 'responsibleParties', 'ceasefire'] }))
      .then([claimDenied({ ...karabakhDenial, deniedAssertions: ['ceasefire', 'responsibleParties'] })]);
  });

  it('accepts denying an assertion the claim gained by a correction', () => {
    const corrected = claimCorrected({
      incidentId: azDefenceClaim.incidentId,
      claimId: azDefenceClaim.claimId,
      partyId: PARTY.azDefence,
      version: 2,
      assertions: { location: { name: 'Line of contact', precision: 'region' } },
      reason: 'The ministry named the place',
      statedAt: { at: '2019-05-31', precision: 'day' },
      source: article,
    });
    spec
      .given([...given, corrected])
      .when(denyClaim({ deniedAssertions: ['location'] }))
      .then([claimDenied({ ...karabakhDenial, deniedAssertions: ['location'] })]);
  });

  it('refuses a denial in an incident that has not been reported (not found)', () => {
    spec.given([]).when(denyClaim()).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses to deny a claim that does not exist (not found)', () => {
    spec
      .given([incidentReported()])
      .when(denyClaim())
      .thenThrows('claim-not-found', { kind: 'not-found', field: 'claimId' });
  });

  it('refuses a denial id already used (conflict)', () => {
    spec
      .given([...given, claimDenied()])
      .when(denyClaim())
      .thenThrows('denial-already-exists', { kind: 'conflict', field: 'denialId' });
  });

  it('refuses a denier that is not a registered party', () => {
    const known = new Set([...ALL_PARTIES].filter((p) => p !== PARTY.karabakhArmy));
    spec.given(given).when(denyClaim({}, known)).thenThrows('unknown-party', { kind: 'rule', field: 'partyId' });
  });

  it('refuses a party denying its own claim: it corrects or retracts instead', () => {
    spec
      .given(given)
      .when(denyClaim({ partyId: PARTY.azDefence }))
      .thenThrows('cannot-deny-own-claim', { kind: 'rule', field: 'partyId' });
  });

  it('refuses to deny a retracted claim', () => {
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
      .when(denyClaim())
      .thenThrows('claim-retracted', { kind: 'rule', field: 'claimId' });
  });

  it('refuses to deny an assertion the claim does not make, naming its position', () => {
    spec
      .given(given)
      .when(denyClaim({ deniedAssertions: ['ceasefire', 'location'] }))
      .thenThrows('assertion-not-made', { kind: 'rule', field: 'deniedAssertions[1]' });
  });

  it('refuses a denial without words', () => {
    spec
      .given(given)
      .when(denyClaim({ statement: { text: '', verbatim: true } }))
      .thenThrows('text-required', { kind: 'rule', field: 'statement.text' });
  });

  it('refuses a stated time that is not an ISO-8601 date', () => {
    spec
      .given(given)
      .when(denyClaim({ statedAt: { at: '2019-06-31', precision: 'day' } }))
      .thenThrows('invalid-time', { kind: 'rule', field: 'statedAt.at' });
  });
});
