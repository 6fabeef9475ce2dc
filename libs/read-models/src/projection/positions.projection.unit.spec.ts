import fc from 'fast-check';
import { Assertions, CasualtyReport } from '@ledger/domain';
import { currentAccountOf } from '../disagreements';
import { ReadModelSpecification } from '../testing/read-model-specification';
import { PARTY, ScenarioEntry, article, claimMade, envelopesOf, incidentEntry, incidentReported, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { claimFieldsTable, claimsTable, partyPositionsTable, positionValuesTable } from '../tables/ledger.tables';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';

const INCIDENT = '7d1e2f3a-4b5c-4d6e-8f70-2019060400c3';
const [AZ, KDA, AM] = [PARTY.azDefence, PARTY.karabakhArmy, PARTY.amForeign];

const claim = (claimId: string, partyId: string, statedOn: string, assertions: Assertions, supersedes: string[] = []): ScenarioEntry =>
  claimMade(INCIDENT, claimId, partyId, { statedAt: { at: statedOn, precision: 'day' }, assertions, supersedes });

const correction = (claimId: string, partyId: string, version: number, statedOn: string, assertions: Assertions): ScenarioEntry =>
  incidentEntry({
    type: 'ClaimCorrected',
    data: { incidentId: INCIDENT, claimId, partyId, version, assertions, reason: 'Corrected.', statedAt: { at: statedOn, precision: 'day' }, source: article },
  });

/** The seed article's parties, then a second incident of which `entries` are said; `check` sees the read models. */
const after = <T>(entries: ScenarioEntry[], check: (rm: SqliteReadModelStore) => T): T => {
  const given = [...seedArticleScenario(), incidentReported(INCIDENT)];
  return ReadModelSpecification.given(envelopesOf(given))
    .when(...envelopesOf([...given, ...entries]).slice(given.length))
    .then(check);
};

const positionOf = (rm: SqliteReadModelStore, partyId: string, field: 'responsibleParties' | 'casualties') =>
  rm.tables.get(partyPositionsTable, { incidentId: INCIDENT, field, partyId });

const accountOf = (rm: SqliteReadModelStore, partyId: string) => rm.partyVersions(INCIDENT)!.parties.find((p) => p.partyId === partyId)!.currentAccount;

const blamesKdaThenBoth = correction('claim-a', AZ, 2, '2019-06-05', { responsibleParties: [KDA, AM] });

describe("a party's position comes from all its standing claims", () => {
  it("keeps the first claim's blame when the party's second claim is silent on blame", () => {
    after([claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA, AM] }), claim('claim-b', AZ, '2019-06-06', { casualties: [{ side: AZ, killed: { best: 1 } }] })], (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [AM, KDA], claimId: 'claim-a', claims: 1 });
      expect(positionOf(rm, AZ, 'casualties')).toMatchObject({ claimId: 'claim-b', claims: 1 });
    });
  });

  it('keeps X and Y when a later claim names only X while the earlier, corrected claim names X and Y: both claims stand behind X', () => {
    after([claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA] }), blamesKdaThenBoth, claim('claim-b', AZ, '2019-06-06', { responsibleParties: [KDA] })], (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [AM, KDA], claimId: 'claim-b', claims: 2, conflict: false });
      expect(accountOf(rm, AZ).responsibleParties).toEqual({
        value: [AM, KDA],
        claimId: 'claim-b',
        statedAt: { at: '2019-06-06', precision: 'day' },
        conflict: false,
        parts: [
          { part: AM, value: AM, claimId: 'claim-a', version: 2, claims: [{ claimId: 'claim-a', version: 2 }], claimCount: 1, conflict: false },
          {
            part: KDA,
            value: KDA,
            claimId: 'claim-b',
            version: 1,
            claims: [
              { claimId: 'claim-b', version: 1 },
              { claimId: 'claim-a', version: 2 },
            ],
            claimCount: 2,
            conflict: false,
          },
        ],
      });
    });
  });

  it('computes the disagreements from these positions', () => {
    const entries = [
      claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA] }),
      blamesKdaThenBoth,
      claim('claim-b', AZ, '2019-06-06', { responsibleParties: [KDA] }),
      claim('claim-k', KDA, '2019-06-06', { responsibleParties: [AZ] }),
    ];
    after(entries, (rm) => {
      const [point] = rm.partyVersions(INCIDENT)!.disagreements;
      expect(point).toMatchObject({ kind: 'responsible-parties', field: 'responsibleParties' });
      expect(point.positions.map(({ partyId, claimId, value }) => ({ partyId, claimId, value }))).toEqual([
        { partyId: AZ, claimId: 'claim-b', value: [AM, KDA] },
        { partyId: KDA, claimId: 'claim-k', value: [AZ] },
      ]);
    });
  });

  it('lets a superseding claim replace the claims it names, which keep their history', () => {
    const entries = [
      claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA] }),
      blamesKdaThenBoth,
      claim('claim-c', AZ, '2019-06-07', { responsibleParties: [KDA] }, ['claim-a']),
    ];
    after(entries, (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [KDA], claimId: 'claim-c', claims: 1 });
      expect(rm.tables.find(claimFieldsTable, { incidentId: INCIDENT, partyId: AZ }).map((r) => r.claimId)).toEqual(['claim-c']);
      expect(rm.tables.get(claimsTable, { incidentId: INCIDENT, claimId: 'claim-a' })).toMatchObject({ version: 2, retracted: false, supersededBy: ['claim-c'] });
      expect(rm.claimHistory(INCIDENT, 'claim-a')?.versions).toHaveLength(2);
    });
  });

  it('restores the superseded claims when the superseding claim is retracted', () => {
    const entries = [
      claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA] }),
      blamesKdaThenBoth,
      claim('claim-b', AZ, '2019-06-06', { responsibleParties: [KDA] }),
      claim('claim-c', AZ, '2019-06-07', { responsibleParties: [KDA] }, ['claim-a', 'claim-b']),
      retraction('claim-c', AZ, 'Issued in error.', '2019-06-08', INCIDENT),
    ];
    after(entries, (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [AM, KDA], claimId: 'claim-b', claims: 2 });
      expect(rm.tables.get(claimsTable, { incidentId: INCIDENT, claimId: 'claim-a' })?.supersededBy).toEqual([]);
    });
  });

  it('leaves a claim superseded by two claims replaced while either stands', () => {
    const entries = [
      claim('claim-a', AZ, '2019-06-04', { responsibleParties: [KDA, AM] }),
      claim('claim-c', AZ, '2019-06-07', { responsibleParties: [KDA] }, ['claim-a']),
      claim('claim-d', AZ, '2019-06-08', { ceasefire: { violated: true } }, ['claim-a']),
      retraction('claim-c', AZ, 'Issued in error.', '2019-06-09', INCIDENT),
    ];
    after(entries, (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toBeUndefined();
      expect(rm.tables.get(claimsTable, { incidentId: INCIDENT, claimId: 'claim-a' })?.supersededBy).toEqual(['claim-d']);
    });
  });

  it('keeps "named nobody" as a position (unlike silence), which a claim naming someone outweighs in the union', () => {
    after([claim('claim-a', AZ, '2019-06-04', { responsibleParties: [] })], (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [], claimId: 'claim-a', claims: 1 });
    });
    after([claim('claim-a', AZ, '2019-06-04', { responsibleParties: [] }), claim('claim-b', AZ, '2019-06-05', { responsibleParties: [KDA] })], (rm) => {
      expect(positionOf(rm, AZ, 'responsibleParties')).toMatchObject({ value: [KDA], claimId: 'claim-b', claims: 2 });
    });
  });

  it("takes a figure from the party's latest standing claim and flags that its own standing claims conflict", () => {
    const entries = [
      claim('claim-a', AZ, '2019-06-04', { casualties: [{ side: AZ, killed: { best: 1 } }, { category: 'civilians', killed: { best: 2 } }] }),
      claim('claim-b', AZ, '2019-06-06', { casualties: [{ side: AZ, killed: { best: 3 } }] }),
    ];
    after(entries, (rm) => {
      const position = positionOf(rm, AZ, 'casualties')!;
      expect(position).toMatchObject({ claimId: 'claim-b', claims: 2, conflict: true });
      expect(position.value).toEqual([{ category: 'civilians', killed: { best: 2 } }, { side: AZ, killed: { best: 3 } }]);
      expect(position.parts.map(({ part, claimId, claims, conflict }) => ({ part, claimId, claims, conflict }))).toEqual([
        { part: 'category=civilians', claimId: 'claim-a', claims: 1, conflict: false },
        { part: `side=${AZ}`, claimId: 'claim-b', claims: 2, conflict: true },
      ]);
      expect(rm.tables.find(positionValuesTable, { incidentId: INCIDENT, partyId: AZ, field: 'casualties', part: `side=${AZ}` })).toHaveLength(2);
    });
  });
});

describe('positions kept claim by claim', () => {
  type Op =
    | { kind: 'make'; party: number; day: number; assertions: Assertions; supersedes: number[] }
    | { kind: 'correct'; claim: number; day: number; assertions: Assertions }
    | { kind: 'retract'; claim: number; day: number };

  const parties = [AZ, KDA];
  const named = fc.subarray([AZ, KDA, AM], { minLength: 1 });
  const assertionsArb: fc.Arbitrary<Assertions> = fc.record(
    {
      responsibleParties: fc.subarray([AZ, KDA, AM]),
      ceasefire: fc.oneof(fc.constant({ violated: false }), named.map((by) => ({ violated: true, by }))),
      casualties: fc.oneof(fc.constant<CasualtyReport[]>([]), fc.integer({ min: 1, max: 3 }).map((best) => [{ side: AZ, killed: { best } }])),
      occurred: fc.constantFrom({ from: '2019-06-01', to: '2019-06-01', precision: 'day' as const }, { from: '2019-06-02', to: '2019-06-03', precision: 'day' as const }),
    },
    { requiredKeys: [] },
  );
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('make' as const), party: fc.nat(1), day: fc.integer({ min: 1, max: 4 }), assertions: assertionsArb, supersedes: fc.array(fc.nat(9), { maxLength: 2 }) }),
    fc.record({ kind: fc.constant('correct' as const), claim: fc.nat(9), day: fc.integer({ min: 1, max: 4 }), assertions: assertionsArb }),
    fc.record({ kind: fc.constant('retract' as const), claim: fc.nat(9), day: fc.integer({ min: 1, max: 4 }) }),
  );

  /** The operations as entries the decider would have accepted: only the party's own standing-or-superseded, unretracted claims are corrected, retracted or superseded. */
  const entriesOf = (ops: Op[]): ScenarioEntry[] => {
    const made: Array<{ claimId: string; partyId: string; version: number; retracted: boolean }> = [];
    const entries: ScenarioEntry[] = [];
    const day = (d: number) => `2019-06-0${d}`;
    for (const op of ops) {
      if (op.kind === 'make') {
        const partyId = parties[op.party];
        const own = made.filter((c) => c.partyId === partyId && !c.retracted);
        const supersedes = [...new Set(op.supersedes.filter((i) => i < own.length).map((i) => own[i].claimId))];
        const claimId = `claim-${made.length}`;
        made.push({ claimId, partyId, version: 1, retracted: false });
        entries.push(claim(claimId, partyId, day(op.day), op.assertions, supersedes));
        continue;
      }
      const target = made.filter((c) => !c.retracted)[op.claim];
      if (!target) continue;
      if (op.kind === 'correct') {
        target.version += 1;
        entries.push(correction(target.claimId, target.partyId, target.version, day(op.day), op.assertions));
      } else {
        target.retracted = true;
        entries.push(retraction(target.claimId, target.partyId, 'Withdrawn.', day(op.day), INCIDENT));
      }
    }
    return entries;
  };

  it('equal, after any claims, corrections, retractions and supersessions, to the positions computed at once from the standing claims', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        after(entriesOf(ops), (rm) => {
          const doc = rm.partyVersions(INCIDENT)!;
          for (const partyId of parties) {
            const standing = rm.tables
              .find(claimsTable, { incidentId: INCIDENT })
              .filter((c) => c.partyId === partyId && !c.retracted && c.supersededBy.length === 0)
              .map((c) => ({ claimId: c.claimId, version: c.version, assertions: c.assertions, statedAt: c.statedAt, position: c.versionPosition.toString() }));
            const kept = doc.parties.find((p) => p.partyId === partyId)?.currentAccount ?? {};
            expect(kept).toEqual(currentAccountOf(standing));
          }
        });
      }),
      { numRuns: 60 },
    );
  });
});
