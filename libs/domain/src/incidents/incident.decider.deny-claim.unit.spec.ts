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
  amendEntry,
  denyClaim,
  entryAmended,
  incidentReported,
  INCIDENT_ID,
  karabakhDenial,
  PARTY,
} from '../testing/seed-article.fixtures';
import { fold } from '../shared/decider';
import { fromStored, toStored } from '../event-registry';
import { IncidentEvent } from './incident.events';
import { incidentDecider } from './incident.decider';

const spec = DeciderSpecification.for(incidentDecider);
const given = [incidentReported(), claimMade(azDefenceClaim)];
/** The ministry's claim corrected to version 2, which adds the place (version 1 names none). */
const correctedToV2 = claimCorrected({
  incidentId: azDefenceClaim.incidentId,
  claimId: azDefenceClaim.claimId,
  partyId: PARTY.azDefence,
  version: 2,
  assertions: { location: { name: 'Line of contact', precision: 'region' } },
  reason: 'The ministry named the place',
  statedAt: { at: '2019-06-03', precision: 'day' },
  source: article,
});

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
    spec
      .given([...given, correctedToV2])
      .when(denyClaim({ deniedAssertions: ['location'] }))
      .then([claimDenied({ ...karabakhDenial, deniedAssertions: ['location'], claimVersion: 2 })]);
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

describe('DenyClaim: a denial is bound to the claim version it denies', () => {

  it('denies the current version when the command names none', () => {
    spec.given(given).when(denyClaim()).then([claimDenied({ ...karabakhDenial, claimVersion: 1 })]);
    spec.given([...given, correctedToV2]).when(denyClaim()).then([claimDenied({ ...karabakhDenial, claimVersion: 2 })]);
  });

  it('records a denial of version 1 made before a correction, though recorded after it', () => {
    spec
      .given([...given, correctedToV2])
      .when(denyClaim({ claimVersion: 1 }))
      .then([claimDenied({ ...karabakhDenial, claimVersion: 1 })]);
  });

  it('refuses a version the claim does not have (422), naming claimVersion', () => {
    spec.given([...given, correctedToV2]).when(denyClaim({ claimVersion: 3 })).thenThrows('claim-version-not-found', { kind: 'rule', field: 'claimVersion' });
    spec.given(given).when(denyClaim({ claimVersion: 0 })).thenThrows('claim-version-not-found', { kind: 'rule', field: 'claimVersion' });
    spec.given(given).when(denyClaim({ claimVersion: 1.5 })).thenThrows('claim-version-not-found', { kind: 'rule', field: 'claimVersion' });
  });

  it('checks the denied assertions against the version denied, not the current one', () => {
    // Version 1 does not name the place: only version 2 does.
    spec
      .given([...given, correctedToV2])
      .when(denyClaim({ claimVersion: 1, deniedAssertions: ['location'] }))
      .thenThrows('assertion-not-made', { kind: 'rule', field: 'deniedAssertions[0]' });
  });
});

describe('ClaimDenied.v1 in an existing log', () => {
  const { claimVersion, ...v1Data } = karabakhDenial;
  const storedV1 = fromStored('ClaimDenied.v1', v1Data) as IncidentEvent;

  it('is written today as ClaimDenied.v2, and a v1 upcasts with the version left unbound (null)', () => {
    expect(toStored(claimDenied()).type).toBe('ClaimDenied.v2');
    expect(storedV1).toEqual({ type: 'ClaimDenied', data: { ...v1Data, claimVersion: null } });
  });

  it('is bound to the version current where it stands in the log, not to a later correction', () => {
    const before = fold(incidentDecider, [...given, storedV1, correctedToV2]);
    expect(before.denials.get(karabakhDenial.denialId)?.claimVersion).toBe(1);
    const after = fold(incidentDecider, [...given, correctedToV2, storedV1]);
    expect(after.denials.get(karabakhDenial.denialId)?.claimVersion).toBe(2);
  });

  it('keeps refusing what a v1 denial of version 1 cannot deny: amending it to deny a field only version 2 asserts', () => {
    spec
      .given([...given, storedV1, correctedToV2])
      .when(amendEntry({ incidentId: INCIDENT_ID, amendmentId: 'amend-1', entry: { kind: 'denial', denialId: karabakhDenial.denialId }, changes: { deniedAssertions: ['location'] }, reason: 'typo' }))
      .thenThrows('assertion-not-made', { kind: 'rule', field: 'changes.deniedAssertions[0]' });
  });

  it('can be re-bound by a ledger amendment when the log point bound it to a version the denier never saw', () => {
    const rebind = amendEntry({
      incidentId: INCIDENT_ID,
      amendmentId: 'amend-rebind',
      entry: { kind: 'denial', denialId: karabakhDenial.denialId },
      changes: { claimVersion: 1 },
      reason: 'The denial (1 June) answered the claim as first made; it was recorded after the correction.',
    });
    spec.given([...given, correctedToV2, storedV1]).when(rebind).then([entryAmended(rebind.data)]);
    spec
      .given([...given, correctedToV2, storedV1])
      .when({ ...rebind, data: { ...rebind.data, changes: { claimVersion: 3 } } })
      .thenThrows('claim-version-not-found', { kind: 'rule', field: 'changes.claimVersion' });
  });
});
