import { DeciderSpecification } from '../testing/decider-specification';
import { karabakhArmyParty, PARTY, partyRegistered } from '../testing/seed-article.fixtures';
import { RegisterParty } from './party.commands';
import { partyDecider } from './party.decider';
import { fromStored, toStored } from '../event-registry';
import { PARTY_KINDS, PARTY_KINDS_V1, PartyRegisteredData } from './party.events';

const spec = DeciderSpecification.for(partyDecider);

const register = (data: Partial<PartyRegisteredData> = {}, knownParties: ReadonlySet<string> = new Set()): RegisterParty => ({
  type: 'RegisterParty',
  data: { ...karabakhArmyParty, ...data },
  knownParties,
});

const registered = (data: Partial<PartyRegisteredData> = {}) => partyRegistered({ ...karabakhArmyParty, ...data });

describe('RegisterParty', () => {
  it('registers the Armenian-backed Karabakh army', () => {
    spec.given([]).when(register()).then([registered()]);
  });

  it('registers a party affiliated with a registered party', () => {
    const affiliation = { partyId: 'armenia', description: 'Armenian-backed' };
    spec
      .given([])
      .when(register({ affiliation }, new Set(['armenia'])))
      .then([registered({ affiliation })]);
  });

  it('registers the OSCE Minsk Group co-chairs as a mediator without affiliation', () => {
    const data: PartyRegisteredData = {
      partyId: PARTY.minskGroup,
      name: 'OSCE Minsk Group Co-Chairs',
      kind: 'mediator',
      aliases: ['Minsk Group'],
    };
    spec.given([]).when({ type: 'RegisterParty', data, knownParties: new Set() }).then([partyRegistered(data)]);
  });

  it('refuses a party that is already registered (conflict)', () => {
    spec
      .given([registered()])
      .when(register())
      .thenThrows('party-already-registered', { kind: 'conflict', field: 'partyId' });
  });

  it.each([
    ['upper case', 'Karabakh-Defense-Army'],
    ['spaces', 'karabakh defense army'],
    ['a leading hyphen', '-karabakh'],
    ['a trailing hyphen', 'karabakh-'],
    ['a double hyphen', 'karabakh--army'],
    ['one character', 'k'],
    ['81 characters', 'k'.repeat(81)],
    ['empty', ''],
  ])('refuses a partyId with %s', (_, partyId) => {
    spec.given([]).when(register({ partyId })).thenThrows('invalid-party-id', { kind: 'rule', field: 'partyId' });
  });

  it('accepts partyIds of 2 and of 80 characters', () => {
    spec.given([]).when(register({ partyId: 'az' })).then([registered({ partyId: 'az' })]);
    const long = 'a'.repeat(80);
    spec.given([]).when(register({ partyId: long })).then([registered({ partyId: long })]);
  });

  it.each(['civilians', 'unknown'])('refuses the reserved casualty side "%s" as a partyId', (partyId) => {
    spec.given([]).when(register({ partyId })).thenThrows('reserved-party-id', { kind: 'rule', field: 'partyId' });
  });

  it('refuses a blank name', () => {
    spec.given([]).when(register({ name: '   ' })).thenThrows('text-required', { kind: 'rule', field: 'name' });
  });

  it('trims the name', () => {
    spec.given([]).when(register({ name: '  Defense Army of Nagorno-Karabakh ' })).then([registered()]);
  });

  it('refuses an affiliation to a party that is not registered', () => {
    spec
      .given([])
      .when(register({ affiliation: { partyId: 'armenia', description: 'Armenian-backed' } }))
      .thenThrows('unknown-party', { kind: 'rule', field: 'affiliation.partyId' });
  });

  it('refuses an affiliation of a party to itself', () => {
    spec
      .given([])
      .when(register({ affiliation: { partyId: PARTY.karabakhArmy, description: 'self' } }, new Set([PARTY.karabakhArmy])))
      .thenThrows('unknown-party', { kind: 'rule', field: 'affiliation.partyId' });
  });

  it('refuses an affiliation without a description', () => {
    spec
      .given([])
      .when(register({ affiliation: { description: ' ' } }))
      .thenThrows('text-required', { kind: 'rule', field: 'affiliation.description' });
  });

  it('normalises aliases instead of refusing them: trimmed, blanks, case-insensitive repeats and the name itself dropped', () => {
    spec
      .given([])
      .when(
        register({
          aliases: [' Karabakh Defense Army ', 'karabakh defense army', '', 'NKR Defense Army', 'Defense Army of Nagorno-Karabakh'],
        }),
      )
      .then([registered({ aliases: ['Karabakh Defense Army', 'NKR Defense Army'] })]);
  });
});

describe('party state', () => {
  it('is unregistered at first and holds the registration once registered', () => {
    expect(partyDecider.initialState()).toEqual({ registered: false });
    expect(partyDecider.evolve(partyDecider.initialState(), registered())).toEqual({
      registered: true,
      party: karabakhArmyParty,
    });
  });
});

describe('RegisterParty: the parties of a long dispute, each of its own kind', () => {
  it.each([
    ['company', 'missile-maker', 'State-owned manufacturer of the missile'],
    ['international-organisation', 'icao', 'UN agency for civil aviation'],
    ['investigative-body', 'joint-investigation-team', 'Criminal investigation by five states'],
    ['court-or-tribunal', 'district-court', 'Trial court hearing the case in absentia'],
    ['intelligence-service', 'signals-intelligence', 'Published intercepted calls'],
  ] as const)('registers a %s with a free description, trimmed', (kind, partyId, description) => {
    spec
      .given([])
      .when(register({ partyId, name: partyId, kind, description: `  ${description} `, affiliation: undefined, aliases: [] }))
      .then([partyRegistered({ partyId, name: partyId, kind, description, aliases: [] })]);
  });

  it('refuses a blank description rather than recording an empty one', () => {
    spec.given([]).when(register({ description: '   ' })).thenThrows('text-required', { kind: 'rule', field: 'description' });
  });

  it('reads a PartyRegistered.v1 of an existing log unchanged: its kinds are still kinds', () => {
    const { description: _none, ...v1 } = { ...karabakhArmyParty, description: undefined };
    expect(fromStored('PartyRegistered.v1', v1)).toEqual({ type: 'PartyRegistered', data: v1 });
    expect(toStored(partyRegistered(karabakhArmyParty)).type).toBe('PartyRegistered.v2');
    expect(PARTY_KINDS).toEqual(expect.arrayContaining([...PARTY_KINDS_V1]));
  });
});
