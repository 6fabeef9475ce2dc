import { Assertions } from '@ledger/domain';
import { PartyAccount, currentAccountOf, estimatesConflict, findDisagreements } from './disagreements';

const day = (at: string) => ({ at, precision: 'day' as const });

const accountOf = (partyId: string, assertions: Assertions, claimId = `claim-${partyId}`): PartyAccount => ({
  partyId,
  account: currentAccountOf([{ claimId, assertions, statedAt: day('2019-06-01'), position: '1' }]),
});

describe('currentAccountOf', () => {
  it('takes each value from the standing claim stated latest that gives it, whatever the order they were recorded in, and flags the conflict', () => {
    const account = currentAccountOf([
      { claimId: 'later', assertions: { casualties: [{ side: 'a', killed: { best: 2 } }] }, statedAt: day('2019-06-02'), position: '1' },
      {
        claimId: 'earlier',
        version: 2,
        assertions: { responsibleParties: ['b'], casualties: [{ side: 'a', killed: { best: 1 } }] },
        statedAt: day('2019-06-01'),
        position: '2',
      },
    ]);
    expect(account).toEqual({
      responsibleParties: {
        value: ['b'],
        claimId: 'earlier',
        statedAt: day('2019-06-01'),
        parts: [{ part: 'b', value: 'b', claimId: 'earlier', version: 2, claims: [{ claimId: 'earlier', version: 2 }], claimCount: 1, conflict: false }],
        conflict: false,
      },
      casualties: {
        value: [{ side: 'a', killed: { best: 2 } }],
        claimId: 'later',
        statedAt: day('2019-06-02'),
        parts: [
          {
            part: 'side=a',
            value: { side: 'a', killed: { best: 2 } },
            claimId: 'later',
            version: 1,
            claims: [
              { claimId: 'later', version: 1 },
              { claimId: 'earlier', version: 2 },
            ],
            claimCount: 2,
            conflict: true,
          },
        ],
        conflict: true,
      },
    });
  });

  it('holds the union of the parties its standing claims blame', () => {
    const account = currentAccountOf([
      { claimId: 'second', assertions: { responsibleParties: ['x'] }, statedAt: day('2019-06-01'), position: '9' },
      { claimId: 'first', assertions: { responsibleParties: ['y', 'x'] }, statedAt: day('2019-06-01'), position: '3' },
    ]);
    expect(account.responsibleParties).toMatchObject({ value: ['x', 'y'], claimId: 'second', conflict: false });
  });
});

describe('findDisagreements', () => {
  it('finds nothing when the accounts agree or do not overlap in what they assert', () => {
    const accounts = [
      accountOf('a', { responsibleParties: ['x', 'y'], ceasefire: { violated: true } }),
      accountOf('b', { responsibleParties: ['y', 'x'], ceasefire: { violated: true, by: ['x'] } }),
      accountOf('c', { location: { name: 'Line of contact', precision: 'region' } }),
      accountOf('d', { location: { name: ' line of  CONTACT ', precision: 'region' } }),
    ];
    expect(findDisagreements(accounts, [])).toEqual([]);
  });

  it('reports different responsible parties with every party that names any', () => {
    const points = findDisagreements([accountOf('a', { responsibleParties: ['b'] }), accountOf('b', { responsibleParties: ['a'] }), accountOf('c', {})], []);
    expect(points).toEqual([
      {
        kind: 'responsible-parties',
        field: 'responsibleParties',
        positions: [
          { partyId: 'a', claimId: 'claim-a', value: ['b'] },
          { partyId: 'b', claimId: 'claim-b', value: ['a'] },
        ],
      },
    ]);
  });

  it('reports a ceasefire said violated against one said held, and two different sets of violators', () => {
    const heldVsBroken = findDisagreements([accountOf('a', { ceasefire: { violated: true } }), accountOf('b', { ceasefire: { violated: false } })], []);
    expect(heldVsBroken.map((p) => [p.kind, p.positions.map((q) => q.partyId)])).toEqual([['ceasefire', ['a', 'b']]]);

    const whoBroke = findDisagreements(
      [accountOf('a', { ceasefire: { violated: true, by: ['b'] } }), accountOf('b', { ceasefire: { violated: true, by: ['a'] } })],
      [],
    );
    expect(whoBroke.map((p) => p.kind)).toEqual(['ceasefire']);
  });

  it('reports casualty figures for the same side whose ranges do not overlap, per side and figure', () => {
    const accounts = [
      accountOf('a', { casualties: [{ side: 'a', killed: { best: 1 }, wounded: { best: 4, low: 2, high: 6 } }] }),
      accountOf('b', { casualties: [{ side: 'a', killed: { best: 3, low: 2, high: 5 }, wounded: { best: 5 } }] }),
      accountOf('c', { casualties: [{ side: 'c', killed: { best: 7 } }] }),
    ];
    expect(findDisagreements(accounts, [])).toEqual([
      {
        kind: 'casualties',
        field: 'casualties[side=a].killed',
        side: 'a',
        figure: 'killed',
        positions: [
          { partyId: 'a', claimId: 'claim-a', value: { best: 1 } },
          { partyId: 'b', claimId: 'claim-b', value: { best: 3, low: 2, high: 5 } },
        ],
      },
    ]);
  });

  it('compares casualty groups of no side by category and nationality, and unattributed totals with each other', () => {
    const accounts = [
      accountOf('a', { casualties: [{ category: 'civilians', nationality: 'NL', killed: { best: 196 } }, { killed: { best: 298 } }] }),
      accountOf('b', { casualties: [{ nationality: 'NL', category: 'civilians', killed: { best: 193, low: 190, high: 195 } }, { category: 'civilians', killed: { best: 298 } }] }),
      accountOf('c', { casualties: [{ killed: { best: 283 } }] }),
    ];
    expect(findDisagreements(accounts, []).map((d) => [d.field, d.side ?? null, d.positions.map((p) => p.partyId)])).toEqual([
      ['casualties[category=civilians,nationality=NL].killed', null, ['a', 'b']],
      ['casualties[unattributed].killed', null, ['a', 'c']],
    ]);
  });

  it('treats a bare figure as a range of one', () => {
    expect(estimatesConflict({ best: 1 }, { best: 2 })).toBe(true);
    expect(estimatesConflict({ best: 1 }, { best: 3, low: 1 })).toBe(false);
    expect(estimatesConflict({ best: 4, low: 3, high: 8 }, { best: 2, high: 3 })).toBe(false);
  });

  it('reports occurrence intervals only when they do not overlap, a date-only bound covering its whole day', () => {
    const sameNight = findDisagreements(
      [
        accountOf('a', { occurred: { from: '2019-05-31', to: '2019-06-01', precision: 'day' } }),
        accountOf('b', { occurred: { from: '2019-06-01T01:30:00Z', to: '2019-06-01T03:00:00Z', precision: 'exact' } }),
      ],
      [],
    );
    expect(sameNight).toEqual([]);

    const differentDays = findDisagreements(
      [
        accountOf('a', { occurred: { from: '2019-05-30', to: '2019-05-30', precision: 'day' } }),
        accountOf('b', { occurred: { from: '2019-05-31', to: '2019-06-01', precision: 'day' } }),
      ],
      [],
    );
    expect(differentDays.map((p) => p.field)).toEqual(['occurred']);
  });

  it('reports different places by name', () => {
    const points = findDisagreements(
      [
        accountOf('a', { location: { name: 'Fuzuli district', precision: 'district' } }),
        accountOf('b', { location: { name: 'Martuni district', precision: 'district' } }),
      ],
      [],
    );
    expect(points.map((p) => [p.kind, p.positions.map((q) => (q.value as { name: string }).name)])).toEqual([
      ['location', ['Fuzuli district', 'Martuni district']],
    ]);
  });

  it('reports every active denial with the claimant’s denied values and the denier', () => {
    const points = findDisagreements(
      [],
      [
        {
          denialId: 'd1',
          partyId: 'b',
          claimId: 'c1',
          claimPartyId: 'a',
          deniedAssertions: ['ceasefire'],
          claimAssertions: { ceasefire: { violated: true, by: ['b'] }, responsibleParties: ['b'] },
        },
        { denialId: 'd2', partyId: 'a', claimId: 'c2', claimPartyId: 'b', deniedAssertions: [] },
      ],
    );
    expect(points).toEqual([
      {
        kind: 'denial',
        field: 'ceasefire',
        deniedAssertions: ['ceasefire'],
        positions: [
          { partyId: 'a', claimId: 'c1', role: 'claimant', value: { ceasefire: { violated: true, by: ['b'] } } },
          { partyId: 'b', claimId: 'c1', role: 'denier', denialId: 'd1' },
        ],
      },
      {
        kind: 'denial',
        field: 'claim',
        deniedAssertions: [],
        positions: [
          { partyId: 'b', claimId: 'c2', role: 'claimant' },
          { partyId: 'a', claimId: 'c2', role: 'denier', denialId: 'd2' },
        ],
      },
    ]);
  });
});
