import { ReadModelSpecification, readModelsOf } from '../testing/read-model-specification';
import { CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, article, envelopesOf, grading, incidentEntry, seedArticleScenario } from '../testing/seed-article.fixture';
import { claimHistoryAsOf, partyVersionsAsOf } from '../time-travel/time-travel';
import { GradeFilter, meetsGrade } from './grade-filter';
import { PartyVersionsDoc } from './party-versions.view';

const scenario = (...more: ScenarioEntry[]) => envelopesOf([...seedArticleScenario(), ...more]);

/** Every claim of the seed article graded; the Minsk Group's left ungraded unless `minsk` grades it. */
const graded = [
  grading(CLAIM.azDefence, 2, 'A2'),
  grading(CLAIM.karabakhArmy, 1, 'B3'),
  grading(CLAIM.amForeign, 1, 'E5'),
  grading(CLAIM.azForeign, 1, 'C3'),
];

const claimIds = (doc: PartyVersionsDoc | undefined) => doc?.parties.flatMap((p) => p.claims.map((c) => c.claimId)).sort();
const denialIds = (doc: PartyVersionsDoc | undefined) => doc?.parties.flatMap((p) => p.denialsMade.map((d) => d.denialId)).sort();
const points = (doc: PartyVersionsDoc | undefined) => doc?.disagreements.map((d) => (d.kind === 'denial' ? `denial:${d.positions[1].denialId}` : d.field));

describe('meetsGrade: a minimum on each scale, best first', () => {
  it.each<[string, GradeFilter, boolean]>([
    ['B2', { minReliability: 'B' }, true],
    ['A6', { minReliability: 'B' }, true],
    ['C1', { minReliability: 'B' }, false],
    ['F6', { minReliability: 'F' }, true],
    ['F1', { minReliability: 'E' }, false],
    ['B2', { minCredibility: 2 }, true],
    ['A3', { minCredibility: 2 }, false],
    ['B2', { minReliability: 'B', minCredibility: 2 }, true],
    ['B3', { minReliability: 'B', minCredibility: 2 }, false],
    ['C2', { minReliability: 'B', minCredibility: 2 }, false],
    ['B2', {}, true],
  ])('%s against %j: %s', (grade, filter, meets) => {
    expect(meetsGrade({ reliability: grade[0] as 'A', credibility: Number(grade[1]) as 1 }, filter)).toBe(meets);
  });

  it('an ungraded claim meets no minimum, on either scale, and any empty one', () => {
    const ungraded = { reliability: null, credibility: null };
    expect(meetsGrade(ungraded, { minReliability: 'F' })).toBe(false);
    expect(meetsGrade(ungraded, { minCredibility: 6 })).toBe(false);
    expect(meetsGrade(ungraded, {})).toBe(true);
  });
});

describe('grades in the read models', () => {
  it("keeps each version's latest grade, the claim's current grade, and every grade with the one it replaced", () => {
    ReadModelSpecification.given(scenario())
      .when(...envelopesOf([grading(CLAIM.azDefence, 1, 'B2'), grading(CLAIM.azDefence, 1, 'D4', 'Contradicted by the monitors.'), grading(CLAIM.azDefence, 2, 'A1')], 1000n))
      .then((rm) => {
        const history = rm.claimHistory(INCIDENT_ID, CLAIM.azDefence)!;
        expect(history.versions.map((v) => v.grade && `${v.grade.reliability}${v.grade.credibility}x${v.grade.gradings}`)).toEqual(['D4x2', 'A1x1']);
        expect(history.grades.map(({ claimVersion, reliability, credibility, previous, reason }) => ({ claimVersion, reliability, credibility, previous, reason }))).toEqual([
          { claimVersion: 1, reliability: 'B', credibility: 2, previous: undefined, reason: undefined },
          { claimVersion: 1, reliability: 'D', credibility: 4, previous: { reliability: 'B', credibility: 2 }, reason: 'Contradicted by the monitors.' },
          { claimVersion: 2, reliability: 'A', credibility: 1, previous: undefined, reason: undefined },
        ]);
        expect(history.grades[0]).toMatchObject({ gradedBy: 'analyst:ani', gradedAt: '2019-06-04T09:00:00.000Z' });
        const claim = rm.partyVersions(INCIDENT_ID)!.parties.flatMap((p) => p.claims).find((c) => c.claimId === CLAIM.azDefence)!;
        expect(claim.grade).toMatchObject({ reliability: 'A', credibility: 1 });
        expect(claim.versions.map((v) => v.grade?.reliability)).toEqual(['D', 'A']);
      });
  });

  it('a correction starts ungraded: the claim has no current grade until its new version is graded', () => {
    const correction = incidentEntry({
      type: 'ClaimCorrected',
      data: {
        incidentId: INCIDENT_ID,
        claimId: CLAIM.karabakhArmy,
        partyId: PARTY.karabakhArmy,
        version: 2,
        assertions: { responsibleParties: [PARTY.azDefence, PARTY.azForeign] },
        reason: 'The ministry was named too.',
        statedAt: { at: '2019-06-02', precision: 'day' },
        source: article,
      },
    });
    ReadModelSpecification.given(scenario(...graded))
      .when(...envelopesOf([correction], 1000n))
      .then((rm) => {
        const claim = rm.partyVersions(INCIDENT_ID)!.parties.flatMap((p) => p.claims).find((c) => c.claimId === CLAIM.karabakhArmy)!;
        expect(claim.grade).toBeNull();
        expect(claim.versions.map((v) => v.grade?.reliability ?? null)).toEqual(['B', null]);
        expect(claimIds(rm.partyVersions(INCIDENT_ID, { minGrade: { minReliability: 'F' } }))).not.toContain(CLAIM.karabakhArmy);
      });
  });
});

describe('versions and disagreements under a minimum grade', () => {
  const rm = readModelsOf(scenario(...graded));

  it('without a minimum, every claim counts and the stored points are shown', () => {
    const doc = rm.partyVersions(INCIDENT_ID, {});
    expect(doc?.gradeFilter).toBeNull();
    expect(claimIds(doc)).toEqual(Object.values(CLAIM).sort());
  });

  it('counts only claims graded at least so well, ungraded ones left out, with the denials of those claims', () => {
    const doc = rm.partyVersions(INCIDENT_ID, { minGrade: { minReliability: 'B' } });
    expect(doc?.gradeFilter).toEqual({ minReliability: 'B' });
    expect(claimIds(doc)).toEqual([CLAIM.azDefence, CLAIM.karabakhArmy].sort());
    // The Foreign Ministry's denial disputes the Armenian claim graded E: not counted. The army's denial of a B claim is.
    expect(denialIds(doc)).toEqual([DENIAL.karabakhArmy]);
    expect(doc?.parties.find((p) => p.partyId === PARTY.amForeign)?.currentAccount).toEqual({});
    expect(points(doc)).toEqual(['responsibleParties', 'ceasefire', 'occurred', `denial:${DENIAL.karabakhArmy}`]);
  });

  it('computes the points from the counted claims alone: with one account left, only the denial of it remains', () => {
    const doc = rm.partyVersions(INCIDENT_ID, { minGrade: { minReliability: 'A', minCredibility: 2 } });
    expect(claimIds(doc)).toEqual([CLAIM.azDefence]);
    expect(points(doc)).toEqual([`denial:${DENIAL.karabakhArmy}`]);
    expect(rm.partyVersions(INCIDENT_ID, { minGrade: { minCredibility: 1 } })?.disagreements).toEqual([]);
  });

  it('a minimum every claim meets gives exactly the stored accounts and points: the query-time layer is the same functions', () => {
    const all = readModelsOf(scenario(...graded, grading(CLAIM.minskGroup, 1, 'F6')));
    const stored = all.partyVersions(INCIDENT_ID, {})!;
    const filtered = all.partyVersions(INCIDENT_ID, { minGrade: { minReliability: 'F', minCredibility: 6 } })!;
    expect(filtered.disagreements).toEqual(stored.disagreements);
    expect(filtered.parties).toEqual(stored.parties);
    expect({ ...filtered, gradeFilter: null }).toEqual(stored);
  });

  it('pages the counted claims and denials in log order', () => {
    const first = rm.partyVersions(INCIDENT_ID, { limit: 2, minGrade: { minReliability: 'B' } })!;
    expect(first.page.next).not.toBeNull();
    const second = rm.partyVersions(INCIDENT_ID, { limit: 2, after: first.page.next!, minGrade: { minReliability: 'B' } })!;
    expect([...claimIds(first)!, ...denialIds(first)!, ...claimIds(second)!, ...denialIds(second)!].sort()).toEqual([CLAIM.azDefence, CLAIM.karabakhArmy, DENIAL.karabakhArmy].sort());
    expect(second.page.next).toBeNull();
    expect(second.disagreements).toEqual(first.disagreements);
  });
});

describe('grades in time travel', () => {
  const regrade = grading(CLAIM.karabakhArmy, 1, 'D4', 'The monitors found no such fire.');
  const log = scenario(...graded, regrade);
  const regradedAt = log[log.length - 1].recordedAt;
  const justBefore = new Date(Date.parse(regradedAt) - 1).toISOString();

  it('as of before a regrade, the history shows the earlier grade only; after it, both', () => {
    const before = claimHistoryAsOf(log, INCIDENT_ID, CLAIM.karabakhArmy, { clock: 'recorded', at: justBefore })!;
    const after = claimHistoryAsOf(log, INCIDENT_ID, CLAIM.karabakhArmy, { clock: 'recorded', at: regradedAt })!;
    expect(before.grades.map((g) => `${g.reliability}${g.credibility}`)).toEqual(['B3']);
    expect(after.grades.map((g) => `${g.reliability}${g.credibility}`)).toEqual(['B3', 'D4']);
    expect(after.versions[0].grade).toMatchObject({ reliability: 'D', credibility: 4, gradings: 2 });
  });

  it('as of before a regrade, a minimum counts the claim by the grade it had then', () => {
    const before = partyVersionsAsOf(log, INCIDENT_ID, { clock: 'recorded', at: justBefore }, { minReliability: 'B' })!;
    const after = partyVersionsAsOf(log, INCIDENT_ID, { clock: 'recorded', at: regradedAt }, { minReliability: 'B' })!;
    expect(claimIds(before)).toContain(CLAIM.karabakhArmy);
    expect(claimIds(after)).not.toContain(CLAIM.karabakhArmy);
    expect(after.gradeFilter).toEqual({ minReliability: 'B' });
    expect('page' in after).toBe(false);
  });

  it('on the stated clock a grade is in with the version it grades, whenever it was given', () => {
    const early = partyVersionsAsOf(log, INCIDENT_ID, { clock: 'stated', at: '2019-06-01' })!;
    const claim = early.parties.flatMap((p) => p.claims).find((c) => c.claimId === CLAIM.karabakhArmy);
    expect(claim?.grade).toMatchObject({ reliability: 'D', credibility: 4 });
    const tooEarly = partyVersionsAsOf(log, INCIDENT_ID, { clock: 'stated', at: '2019-05-30' })!;
    expect(tooEarly.parties.flatMap((p) => p.claims).find((c) => c.claimId === CLAIM.karabakhArmy)).toBeUndefined();
  });
});
