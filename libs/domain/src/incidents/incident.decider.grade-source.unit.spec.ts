import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  ANALYST,
  EDITOR,
  article,
  azDefenceClaim,
  claimCorrected,
  claimMade,
  claimRetracted,
  gradeSource,
  incidentReported,
  PARTY,
  sourceGraded,
} from '../testing/seed-article.fixtures';
import { GradeSource } from './incident.commands';
import { incidentDecider } from './incident.decider';
import { SourceGradedData } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);
const given = [incidentReported(), claimMade(azDefenceClaim)];
const { incidentId, claimId } = azDefenceClaim;

const corrected = claimCorrected({
  incidentId,
  claimId,
  partyId: PARTY.azDefence,
  version: 2,
  assertions: { casualties: [{ side: PARTY.azDefence, killed: { best: 2 } }] },
  reason: 'A second serviceman died of his wounds',
  statedAt: { at: '2019-06-02', precision: 'day' },
  source: article,
});

/** An analyst grades the ministry's report as B2: usually reliable source, probably true. */
const grading: GradeSource['data'] = {
  incidentId,
  claimId,
  reliability: 'B',
  credibility: 2,
  gradedBy: ANALYST,
  gradedAt: '2019-06-04T10:00:00.000Z',
};
const graded = (data: Partial<SourceGradedData> = {}) => sourceGraded({ ...grading, claimVersion: 1, ...data });

describe('GradeSource', () => {
  it("grades the claim's current version, with who graded it and when", () => {
    spec.given(given).when(gradeSource(grading)).then([graded()]);
  });

  it('grades a version named explicitly, an earlier one included', () => {
    spec.given([...given, corrected]).when(gradeSource({ ...grading, claimVersion: 1 })).then([graded()]);
    spec.given([...given, corrected]).when(gradeSource(grading)).then([graded({ claimVersion: 2 })]);
  });

  it('keeps a note on a first grade when one is given', () => {
    const reason = 'Ministry statements on own losses have matched later funerals';
    spec.given(given).when(gradeSource({ ...grading, reason })).then([graded({ reason })]);
  });

  it('keeps the latest grade of each version in the state; a correction starts ungraded', () => {
    const state = fold(incidentDecider, [...given, graded(), corrected]);
    expect(state.claims.get(claimId)?.grades).toEqual({ 1: { reliability: 'B', credibility: 2 } });
  });

  describe('regrading', () => {
    const regrade = { ...grading, reliability: 'C' as const, credibility: 3 as const, reason: 'Contradicted by the OSCE monitors', gradedBy: EDITOR };

    it('records another event with its reason; the history is the log', () => {
      spec.given([...given, graded()]).when(gradeSource(regrade)).then([graded(regrade)]);
      const state = fold(incidentDecider, [...given, graded(), graded(regrade)]);
      expect(state.claims.get(claimId)?.grades[1]).toEqual({ reliability: 'C', credibility: 3 });
    });

    it('refuses a regrade without a reason', () => {
      const { reason: _none, ...silent } = regrade;
      spec.given([...given, graded()]).when(gradeSource(silent)).thenThrows('text-required', { kind: 'rule', field: 'reason' });
    });

    it('refuses the same grade again (it changes nothing), reason or not', () => {
      spec
        .given([...given, graded()])
        .when(gradeSource({ ...grading, reason: 'Checked again' }))
        .thenThrows('grade-unchanged', { kind: 'rule', field: undefined });
    });

    it('accepts a change of one scale alone', () => {
      spec.given([...given, graded()]).when(gradeSource({ ...grading, credibility: 1, reason: 'Confirmed by funerals' })).then([graded({ credibility: 1, reason: 'Confirmed by funerals' })]);
    });

    it('grades each version apart: grading version 2 is no regrade of version 1', () => {
      spec.given([...given, graded(), corrected]).when(gradeSource(grading)).then([graded({ claimVersion: 2 })]);
    });
  });

  it('grades a retracted claim: the assessment of its source outlives the withdrawal', () => {
    const retracted = claimRetracted({ incidentId, claimId, partyId: PARTY.azDefence, reason: 'Withdrawn', statedAt: { at: '2019-06-05', precision: 'day' }, source: article });
    spec.given([...given, retracted]).when(gradeSource({ ...grading, credibility: 5 })).then([graded({ credibility: 5 })]);
  });

  it('refuses a grade in an incident that has not been reported (not found)', () => {
    spec.given([]).when(gradeSource(grading)).thenThrows('incident-not-found', { kind: 'not-found', field: 'incidentId' });
  });

  it('refuses a grade of a claim that does not exist (not found)', () => {
    spec.given([incidentReported()]).when(gradeSource(grading)).thenThrows('claim-not-found', { kind: 'not-found', field: 'claimId' });
  });

  it.each([0, 2, 1.5])('refuses version %p of a claim that has only version 1', (claimVersion) => {
    spec.given(given).when(gradeSource({ ...grading, claimVersion })).thenThrows('claim-version-not-found', { kind: 'rule', field: 'claimVersion' });
  });

  it.each([['G'], ['b'], [''], [2], [undefined]])('refuses reliability %p', (reliability) => {
    spec
      .given(given)
      .when(gradeSource({ ...grading, reliability: reliability as never }))
      .thenThrows('invalid-grade', { kind: 'rule', field: 'reliability' });
  });

  it.each([[0], [7], [2.5], ['1'], [null]])('refuses credibility %p', (credibility) => {
    spec
      .given(given)
      .when(gradeSource({ ...grading, credibility: credibility as never }))
      .thenThrows('invalid-grade', { kind: 'rule', field: 'credibility' });
  });

  it('refuses a blank reason', () => {
    spec.given(given).when(gradeSource({ ...grading, reason: ' ' })).thenThrows('text-required', { kind: 'rule', field: 'reason' });
  });

  it('refuses a grade without its grader or time (the handler passes them in)', () => {
    spec.given(given).when(gradeSource({ ...grading, gradedBy: '' })).thenThrows('text-required', { kind: 'rule', field: 'gradedBy' });
    spec.given(given).when(gradeSource({ ...grading, gradedAt: 'yesterday' })).thenThrows('invalid-time', { kind: 'rule', field: 'gradedAt' });
  });
});
