import { DeciderSpecification } from '../testing/decider-specification';
import { article, azDefenceClaim, claimMade, claimRetracted, incidentReported, karabakhArmyClaim, makeClaim, PARTY } from '../testing/seed-article.fixtures';
import { fromStored } from '../event-registry';
import { incidentDecider } from './incident.decider';
import { ClaimMadeData } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);
const reported = incidentReported();

/** Azerbaijan's military again, a week later, naming only the Karabakh army: it replaces the claims listed. */
const laterAzClaim = (supersedes: string[], claimId = 'claim-az-defence-later'): ClaimMadeData => ({
  ...azDefenceClaim,
  claimId,
  statement: { text: 'The Karabakh army alone opened fire.', verbatim: false },
  statedAt: { at: '2019-06-07', precision: 'day' },
  assertions: { responsibleParties: [PARTY.karabakhArmy] },
  supersedes,
});

const azRetracted = claimRetracted({
  incidentId: azDefenceClaim.incidentId,
  claimId: azDefenceClaim.claimId,
  partyId: PARTY.azDefence,
  reason: 'Withdrawn.',
  statedAt: { at: '2019-06-05', precision: 'day' },
  source: article,
});

describe('MakeClaim superseding earlier claims of the same party', () => {
  it('records the claims it supersedes, each once', () => {
    const later = laterAzClaim([azDefenceClaim.claimId, azDefenceClaim.claimId]);
    spec
      .given([reported, claimMade(azDefenceClaim)])
      .when(makeClaim(later))
      .then([claimMade({ ...later, supersedes: [azDefenceClaim.claimId] })]);
  });

  it('supersedes nothing unless told: without the list, earlier claims stand beside it', () => {
    const { supersedes: _none, ...unsaid } = laterAzClaim([]);
    spec
      .given([reported, claimMade(azDefenceClaim)])
      .when(makeClaim(unsaid as ClaimMadeData))
      .then([claimMade(laterAzClaim([]))]);
  });

  it("refuses to supersede another party's claim (422)", () => {
    spec
      .given([reported, claimMade(azDefenceClaim), claimMade(karabakhArmyClaim)])
      .when(makeClaim(laterAzClaim([azDefenceClaim.claimId, karabakhArmyClaim.claimId])))
      .thenThrows('cannot-supersede-other-partys-claim', { kind: 'rule', field: 'supersedes[1]' });
  });

  it('refuses a claim the incident does not have', () => {
    spec.given([reported]).when(makeClaim(laterAzClaim(['claim-nowhere']))).thenThrows('unknown-claim', { kind: 'rule', field: 'supersedes[0]' });
  });

  it('refuses a retracted claim: nothing of it stands to be replaced', () => {
    spec
      .given([reported, claimMade(azDefenceClaim), azRetracted])
      .when(makeClaim(laterAzClaim([azDefenceClaim.claimId])))
      .thenThrows('claim-retracted', { kind: 'rule', field: 'supersedes[0]' });
  });

  it('refuses a claim superseding itself', () => {
    spec
      .given([reported, claimMade(azDefenceClaim)])
      .when(makeClaim(laterAzClaim(['claim-az-defence-later'])))
      .thenThrows('cannot-supersede-itself', { kind: 'rule', field: 'supersedes[0]' });
  });

  it('may supersede a claim another claim already supersedes (retracting either leaves it replaced)', () => {
    const first = laterAzClaim([azDefenceClaim.claimId]);
    const second = laterAzClaim([azDefenceClaim.claimId], 'claim-az-defence-latest');
    spec.given([reported, claimMade(azDefenceClaim), claimMade(first)]).when(makeClaim(second)).then([claimMade(second)]);
  });

  it('reads a ClaimMade.v2 as superseding nothing', () => {
    const { supersedes: _none, ...v2 } = azDefenceClaim;
    expect(fromStored('ClaimMade.v2', v2)).toEqual({ type: 'ClaimMade', data: { ...v2, supersedes: [] } });
    expect(fromStored('ClaimMade.v3', azDefenceClaim)).toEqual({ type: 'ClaimMade', data: azDefenceClaim });
  });
});
