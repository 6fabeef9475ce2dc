import { applyEntryChanges, changedEntryKeys } from '../incidents/entry-changes';
import { Assertions } from '../incidents/incident.events';
import {
  ALL_PARTIES,
  amendEntry,
  azDefenceClaim,
  correctClaim,
  denyClaim,
  incidentData,
  karabakhArmyClaim,
  makeClaim,
  PARTY,
  reportIncident,
  retractClaim,
} from '../testing/seed-article.fixtures';
import {
  applyAssertionChanges,
  assertedFields,
  changedAssertionFields,
  currentAssertions,
  partiesReferencedBy,
} from './assertions';
import { partiesNamedIn } from './party-references';
import { structurallyEqual } from './structural-equality';

const az = azDefenceClaim.assertions;
const located: Assertions = { location: { name: 'Near the line of contact', precision: 'region' } };

describe('assertedFields', () => {
  it('lists the fields present, in canonical order', () => {
    expect(assertedFields(karabakhArmyClaim.assertions)).toEqual(['responsibleParties', 'ceasefire', 'casualties', 'occurred']);
  });

  it('counts an empty list as asserted but an undefined field as not', () => {
    expect(assertedFields({ responsibleParties: [], ceasefire: undefined })).toEqual(['responsibleParties']);
  });
});

describe('applyAssertionChanges', () => {
  it('replaces the fields the changes name and keeps the others', () => {
    const casualties = [{ side: PARTY.azDefence, killed: { best: 2 } }];
    expect(applyAssertionChanges(az, { casualties, ...located })).toEqual({ ...az, casualties, ...located });
  });

  it('keeps everything when there are no changes', () => {
    expect(applyAssertionChanges(az, undefined)).toEqual(az);
    expect(applyAssertionChanges(az, {})).toEqual(az);
  });

  it('does not mutate its inputs', () => {
    const before = structuredClone(az);
    applyAssertionChanges(az, located);
    expect(az).toEqual(before);
  });
});

describe('currentAssertions', () => {
  it('folds the versions of a claim in order', () => {
    const widened: Assertions = { responsibleParties: [PARTY.karabakhArmy, PARTY.amForeign] };
    expect(currentAssertions([az, undefined, located, widened])).toEqual({ ...az, ...located, ...widened });
  });
});

describe('changedAssertionFields', () => {
  it('names the fields whose values differ, structurally', () => {
    const after = applyAssertionChanges(az, { ...located, ceasefire: { violated: true, by: [PARTY.karabakhArmy] } });
    expect(changedAssertionFields(az, after)).toEqual(['location']);
  });
});

describe('partiesReferencedBy', () => {
  it('lists each party named, with its path, leaving out non-party casualty sides', () => {
    expect(
      partiesReferencedBy({
        responsibleParties: [PARTY.karabakhArmy],
        ceasefire: { violated: true, by: [PARTY.amForeign] },
        casualties: [{ category: 'civilians' }, { side: PARTY.azDefence }],
      }),
    ).toEqual([
      { partyId: PARTY.karabakhArmy, field: 'responsibleParties[0]' },
      { partyId: PARTY.amForeign, field: 'ceasefire.by[0]' },
      { partyId: PARTY.azDefence, field: 'casualties[1].side' },
    ]);
  });
});

describe('partiesNamedIn', () => {
  it('names the claimant and every party the assertions name, once each', () => {
    expect(partiesNamedIn(makeClaim(azDefenceClaim))).toEqual([PARTY.azDefence, PARTY.karabakhArmy]);
  });

  it('names the denier of a denial', () => {
    expect(partiesNamedIn(denyClaim())).toEqual([PARTY.karabakhArmy]);
  });

  it('names the parties of amended assertions', () => {
    const command = amendEntry({
      incidentId: incidentData.incidentId,
      amendmentId: 'a-1',
      entry: { kind: 'claim', claimId: azDefenceClaim.claimId, version: 1 },
      changes: { assertions: { responsibleParties: [PARTY.amForeign] } },
      reason: 'typo',
    });
    expect(partiesNamedIn(command)).toEqual([PARTY.amForeign]);
  });

  it('names the affiliation of a party to register', () => {
    expect(
      partiesNamedIn({
        type: 'RegisterParty',
        data: {
          partyId: PARTY.karabakhArmy,
          name: 'Defense Army',
          kind: 'armed-force',
          affiliation: { partyId: 'armenia', description: 'Armenian-backed' },
          aliases: [],
        },
      }),
    ).toEqual(['armenia']);
  });

  it('names only the corrector, or nobody, for commands that name no other party', () => {
    const said = {
      incidentId: incidentData.incidentId,
      claimId: azDefenceClaim.claimId,
      partyId: PARTY.azDefence,
      reason: 'r',
      statedAt: azDefenceClaim.statedAt,
      source: azDefenceClaim.source,
    };
    expect(partiesNamedIn(reportIncident())).toEqual([]);
    expect(partiesNamedIn(retractClaim(said))).toEqual([]);
    expect(partiesNamedIn(correctClaim(said, ALL_PARTIES))).toEqual([PARTY.azDefence]);
  });
});

describe('applyEntryChanges', () => {
  it('replaces each key present, merges assertions field by field, and keeps the others', () => {
    const amended = applyEntryChanges(azDefenceClaim, { assertions: located, statement: { text: 'Shot dead', verbatim: true } });
    expect(amended).toEqual({
      ...azDefenceClaim,
      assertions: { ...azDefenceClaim.assertions, ...located },
      statement: { text: 'Shot dead', verbatim: true },
    });
  });

  it('drops the assertion fields named in removedAssertions', () => {
    const amended = applyEntryChanges(azDefenceClaim, { removedAssertions: ['responsibleParties'] });
    const { responsibleParties, ...rest } = azDefenceClaim.assertions;
    expect(responsibleParties).toBeDefined();
    expect(amended.assertions).toEqual(rest);
  });

  it('ignores keys whose value is undefined', () => {
    expect(applyEntryChanges(incidentData, { title: undefined })).toEqual(incidentData);
    expect(changedEntryKeys({ title: undefined, summary: 's' })).toEqual(['summary']);
  });
});

describe('structurallyEqual', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['equal nested objects in another key order', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
    ['an undefined key and a missing key', { a: 1, b: undefined }, { a: 1 }, true],
    ['arrays in another order', [1, 2], [2, 1], false],
    ['an array and an object', [], {}, false],
    ['null and an object', null, {}, false],
    ['different numbers', { best: 1 }, { best: 2 }, false],
    ['NaN and NaN', Number.NaN, Number.NaN, true],
    ['a string and a number', '1', 1, false],
  ])('compares %s', (_, a, b, equal) => {
    expect(structurallyEqual(a, b)).toBe(equal);
  });
});
