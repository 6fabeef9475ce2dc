import { DeciderSpecification } from '../testing/decider-specification';
import {
  ALL_PARTIES,
  amForeignClaim,
  azDefenceClaim,
  azForeignClaim,
  claimMade,
  incidentReported,
  karabakhArmyClaim,
  makeClaim,
  minskGroupClaim,
  PARTY,
} from '../testing/seed-article.fixtures';
import { fromStored, toStored } from '../event-registry';
import { incidentDecider } from './incident.decider';
import { Assertions, CasualtyReport, ClaimMadeData } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);
const reported = incidentReported();

const withAssertions = (assertions: Assertions, base: ClaimMadeData = azDefenceClaim): ClaimMadeData => ({ ...base, assertions });
const azCasualties = azDefenceClaim.assertions.casualties as CasualtyReport[];
const withKilled = (killed: CasualtyReport['killed']): ClaimMadeData =>
  withAssertions({ casualties: [{ ...azCasualties[0], killed }] });

describe('MakeClaim', () => {
  it("records Azerbaijan's military claim that officer Aqil Omarov was killed by enemy fire", () => {
    spec.given([reported]).when(makeClaim(azDefenceClaim)).then([claimMade(azDefenceClaim)]);
  });

  it("records the Karabakh army's account as an answer to Azerbaijan's claim", () => {
    const answering = { ...karabakhArmyClaim, answers: [azDefenceClaim.claimId] };
    spec.given([reported, claimMade(azDefenceClaim)]).when(makeClaim(answering)).then([claimMade(answering)]);
  });

  it('records a claim that asserts nothing in structure when it has words (the Minsk Group blames no one)', () => {
    spec.given([reported]).when(makeClaim(minskGroupClaim)).then([claimMade(minskGroupClaim)]);
  });

  it('accepts casualties of no side, grouped by category and nationality, with best/low/high', () => {
    // Passengers of a downed airliner belong to no party: no side is invented for them.
    const data = withAssertions({
      casualties: [
        { category: 'civilians', nationality: 'NL', killed: { best: 196 } },
        { category: 'civilians', nationality: 'MY', killed: { best: 43, low: 43, high: 44 } },
        { killed: { best: 298 } },
        { side: PARTY.azDefence, category: 'combatants', wounded: { best: 0 } },
        { category: 'unknown', killed: { best: 2, low: 1, high: 3 } },
      ],
    });
    spec.given([reported]).when(makeClaim(data, new Set([PARTY.azDefence]))).then([claimMade(data)]);
  });

  it('refuses "civilians" or "unknown" as a side since they became categories (a side is a party)', () => {
    const data = withAssertions({ casualties: [{ side: 'civilians', killed: { best: 1 } }] });
    spec.given([reported]).when(makeClaim(data)).thenThrows('unknown-party', { kind: 'rule', field: 'assertions.casualties[0].side' });
  });

  it('refuses a nationality that is not an ISO 3166-1 alpha-2 code, and a category outside the list', () => {
    const nl = withAssertions({ casualties: [{ category: 'civilians', nationality: 'Dutch', killed: { best: 1 } }] });
    spec.given([reported]).when(makeClaim(nl)).thenThrows('invalid-nationality', { kind: 'rule', field: 'assertions.casualties[0].nationality' });
    const odd = withAssertions({ casualties: [{ category: 'tourists' as never, killed: { best: 1 } }] });
    spec.given([reported]).when(makeClaim(odd)).thenThrows('invalid-casualty-category', { kind: 'rule', field: 'assertions.casualties[0].category' });
  });

  it('refuses two reports of the same group (same side, category and nationality), not of different groups', () => {
    const twice = withAssertions({ casualties: [{ category: 'civilians', nationality: 'NL', killed: { best: 1 } }, { nationality: 'NL', category: 'civilians', wounded: { best: 1 } }] });
    spec.given([reported]).when(makeClaim(twice)).thenThrows('duplicate-casualty-group', { kind: 'rule', field: 'assertions.casualties[1]' });
    const unattributed = withAssertions({ casualties: [{ killed: { best: 1 } }, { wounded: { best: 2 } }] });
    spec.given([reported]).when(makeClaim(unattributed)).thenThrows('duplicate-casualty-group', { kind: 'rule', field: 'assertions.casualties[1]' });
  });

  it('reads a ClaimMade.v1 casualty side "civilians" or "unknown" as that category with no side; a party side stays', () => {
    const v1 = withAssertions({ casualties: [{ side: 'civilians', wounded: { best: 0 } }, { side: 'unknown', killed: { best: 2 } }, azCasualties[0]] as never });
    expect(fromStored('ClaimMade.v1', v1)).toEqual({
      type: 'ClaimMade',
      data: { ...v1, assertions: { casualties: [{ category: 'civilians', wounded: { best: 0 } }, { category: 'unknown', killed: { best: 2 } }, azCasualties[0]] } },
    });
    expect(toStored(claimMade(azDefenceClaim)).type).toBe('ClaimMade.v3');
  });

  it('drops repeated answers', () => {
    const data = { ...amForeignClaim, answers: [azForeignClaim.claimId, azForeignClaim.claimId] };
    spec
      .given([reported, claimMade(azForeignClaim)])
      .when(makeClaim(data))
      .then([claimMade({ ...data, answers: [azForeignClaim.claimId] })]);
  });

  it('refuses a claim about an incident that has not been reported (not found)', () => {
    spec.given([]).when(makeClaim()).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses a claim addressed to another incident than the stream holds (not found)', () => {
    spec
      .given([reported])
      .when(makeClaim({ ...azDefenceClaim, incidentId: '00000000-0000-4000-8000-000000000000' }))
      .thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses a claim id already used in the incident (conflict)', () => {
    spec
      .given([reported, claimMade(azDefenceClaim)])
      .when(makeClaim({ ...karabakhArmyClaim, claimId: azDefenceClaim.claimId }))
      .thenThrows('claim-already-exists', { kind: 'conflict', field: 'claimId' });
  });

  it('refuses a claimant that is not a registered party', () => {
    const known = new Set([...ALL_PARTIES].filter((p) => p !== PARTY.azDefence));
    spec.given([reported]).when(makeClaim(azDefenceClaim, known)).thenThrows('unknown-party', { kind: 'rule', field: 'partyId' });
  });

  it.each([
    ['a responsible party', { responsibleParties: [PARTY.karabakhArmy, 'armenian-army'] }, 'assertions.responsibleParties[1]'],
    ['a ceasefire violator', { ceasefire: { violated: true, by: ['armenian-army'] } }, 'assertions.ceasefire.by[0]'],
    ['a casualty side', { casualties: [{ side: PARTY.azDefence }, { side: 'armenian-army' }] }, 'assertions.casualties[1].side'],
  ])('refuses an unregistered party named as %s, naming the path', (_, assertions, field) => {
    spec.given([reported]).when(makeClaim(withAssertions(assertions))).thenThrows('unknown-party', { kind: 'rule', field });
  });

  it('refuses an answer to a claim that does not exist in the incident', () => {
    const data = { ...amForeignClaim, answers: [azForeignClaim.claimId, 'claim-nobody-made'] };
    spec
      .given([reported, claimMade(azForeignClaim)])
      .when(makeClaim(data))
      .thenThrows('unknown-claim', { kind: 'rule', field: 'answers[1]' });
  });

  it.each([
    ['a fraction', { best: 1.5 }],
    ['a negative number', { best: -1 }],
    ['low above best', { best: 1, low: 2 }],
    ['best above high', { best: 3, high: 2 }],
    ['a negative low', { best: 1, low: -1 }],
  ])('refuses an estimate with %s', (_, killed) => {
    spec
      .given([reported])
      .when(makeClaim(withKilled(killed)))
      .thenThrows('invalid-estimate', { kind: 'rule', field: 'assertions.casualties[0].killed' });
  });

  it('checks wounded estimates too', () => {
    spec
      .given([reported])
      .when(makeClaim(withAssertions({ casualties: [{ side: PARTY.azDefence, wounded: { best: 2, high: 1 } }] })))
      .thenThrows('invalid-estimate', { kind: 'rule', field: 'assertions.casualties[0].wounded' });
  });

  it('accepts a range estimate with low <= best <= high', () => {
    const data = withKilled({ best: 1, low: 1, high: 2 });
    spec.given([reported]).when(makeClaim(data)).then([claimMade(data)]);
  });

  it('refuses an asserted time interval that ends before it starts', () => {
    const data = withAssertions({ occurred: { from: '2019-06-01', to: '2019-05-31', precision: 'day' } }, karabakhArmyClaim);
    spec.given([reported]).when(makeClaim(data)).thenThrows('invalid-interval', { kind: 'rule', field: 'assertions.occurred' });
  });

  it('refuses asserted coordinates out of range', () => {
    const data = withAssertions({ location: { name: 'Near Karabakh', precision: 'region', coordinates: { lat: 139.8, lon: 46.8 } } });
    spec
      .given([reported])
      .when(makeClaim(data))
      .thenThrows('invalid-coordinates', { kind: 'rule', field: 'assertions.location.coordinates.lat' });
  });

  it('refuses a ceasefire said to be kept that names violators', () => {
    const data = withAssertions({ ceasefire: { violated: false, by: [PARTY.karabakhArmy] } });
    spec.given([reported]).when(makeClaim(data)).thenThrows('invalid-ceasefire', { kind: 'rule', field: 'assertions.ceasefire.by' });
  });

  it('refuses two casualty reports for the same side', () => {
    const data = withAssertions({ casualties: [azCasualties[0], { side: PARTY.azDefence, wounded: { best: 1 } }] });
    spec
      .given([reported])
      .when(makeClaim(data))
      .thenThrows('duplicate-casualty-group', { kind: 'rule', field: 'assertions.casualties[1].side' });
  });

  it('refuses a named victim without a name', () => {
    const data = withAssertions({ casualties: [{ side: PARTY.azDefence, named: [{ name: ' ', status: 'killed' }] }] });
    spec
      .given([reported])
      .when(makeClaim(data))
      .thenThrows('text-required', { kind: 'rule', field: 'assertions.casualties[0].named[0].name' });
  });

  it('refuses a claim without words, even with assertions: the text stays beside the structure', () => {
    const data = { ...azDefenceClaim, statement: { text: '  ', verbatim: false } };
    spec.given([reported]).when(makeClaim(data)).thenThrows('text-required', { kind: 'rule', field: 'statement.text' });
  });

  it('refuses a claim with neither words nor assertions', () => {
    const data = { ...minskGroupClaim, statement: { text: '', verbatim: true } };
    spec.given([reported]).when(makeClaim(data)).thenThrows('text-required', { kind: 'rule', field: 'statement.text' });
  });

  it('refuses a stated time that is not an ISO-8601 date', () => {
    const data = { ...azDefenceClaim, statedAt: { at: 'Thursday', precision: 'day' as const } };
    spec.given([reported]).when(makeClaim(data)).thenThrows('invalid-time', { kind: 'rule', field: 'statedAt.at' });
  });
});
