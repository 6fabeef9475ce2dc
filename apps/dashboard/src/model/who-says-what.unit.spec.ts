import { buildMatrix, describeAssertion, formatEstimate, NAMED_NOBODY, SAID_NOTHING, type VersionsLike } from './who-says-what';

const claim = (claimId: string, partyId: string, version: number, assertions: object) =>
  ({ claimId, partyId, version, assertions, statement: { text: 'words', verbatim: false }, versions: [], denials: [] }) as never;

const names: Record<string, string> = { az: 'Azerbaijan MoD', kda: 'Karabakh army', osce: 'OSCE co-chairs' };
const nameOf = (id: string) => names[id] ?? id;

const doc: VersionsLike = {
  parties: [
    {
      partyId: 'az',
      claims: [claim('c-az', 'az', 2, {})],
      denialsMade: [],
      currentAccount: {
        responsibleParties: { value: ['kda'], claimId: 'c-az', statedAt: { at: '2019-05-30', precision: 'day' } },
        casualties: { value: [{ side: 'az', killed: { best: 1, low: 1, high: 3 } }], claimId: 'c-az', statedAt: { at: '2019-05-30', precision: 'day' } },
      },
    },
    {
      partyId: 'kda',
      claims: [claim('c-kda', 'kda', 1, {})],
      denialsMade: [{ denialId: 'd1', claimId: 'c-az', claimPartyId: 'az', deniedAssertions: ['responsibleParties'], active: true }],
      currentAccount: { responsibleParties: { value: ['az'], claimId: 'c-kda', statedAt: { at: '2019-06-01', precision: 'day' } } },
    },
    { partyId: 'osce', claims: [claim('c-osce', 'osce', 1, {})], denialsMade: [], currentAccount: { responsibleParties: { value: [], claimId: 'c-osce', statedAt: { at: '2019-06-01', precision: 'day' } } } },
  ] as never,
  disagreements: [
    { kind: 'responsible-parties', field: 'responsibleParties', positions: [{ partyId: 'az', claimId: 'c-az' }, { partyId: 'kda', claimId: 'c-kda' }] },
    { kind: 'denial', field: 'responsibleParties', deniedAssertions: ['responsibleParties'], positions: [{ partyId: 'az', claimId: 'c-az', role: 'claimant' }, { partyId: 'kda', claimId: 'c-az', role: 'denier', denialId: 'd1' }] },
  ] as never,
};

describe("the dashboard's who-says-what matrix", () => {
  const rows = buildMatrix(doc, nameOf);
  const cell = (party: string, field: string) => rows.find((r) => r.partyId === party)!.cells.find((c) => c.field === field)!;

  it('gives each party whom it blames, in names, linked to the claim and version behind it', () => {
    expect(cell('az', 'responsibleParties')).toMatchObject({ text: 'Karabakh army', claimId: 'c-az', version: 2, said: true });
    expect(cell('kda', 'responsibleParties').text).toBe('Azerbaijan MoD');
  });

  it('tells "named nobody" from "said nothing"', () => {
    expect(cell('osce', 'responsibleParties').text).toBe(NAMED_NOBODY);
    expect(cell('osce', 'ceasefire')).toMatchObject({ text: SAID_NOTHING, said: false, disputed: false });
  });

  it('marks the cells where parties disagree and the points another party denies', () => {
    expect(cell('az', 'responsibleParties')).toMatchObject({ disputed: true, deniedBy: ['kda'] });
    expect(cell('osce', 'responsibleParties').disputed).toBe(false);
    expect(cell('az', 'casualties')).toMatchObject({ disputed: false, deniedBy: [] });
    expect(rows.find((r) => r.partyId === 'kda')!.denies).toEqual([{ claimId: 'c-az', claimPartyId: 'az', fields: ['responsibleParties'] }]);
  });

  it('writes casualty estimates as best with the low–high range', () => {
    expect(formatEstimate({ best: 1, low: 1, high: 3 })).toBe('1 (1–3)');
    expect(formatEstimate({ best: 2 })).toBe('2');
    expect(cell('az', 'casualties').text).toBe('Azerbaijan MoD: 1 (1–3) killed');
    expect(describeAssertion('ceasefire', { violated: true, by: ['kda'] }, nameOf)).toBe('violated by Karabakh army');
    expect(describeAssertion('ceasefire', { violated: false }, nameOf)).toBe('not violated');
  });
});
