import fc from 'fast-check';
import { LedgerEvent } from '@ledger/domain';
import { INCIDENT_ID, PARTY, ScenarioEntry, amendment, article, claimMade, grading, incidentEntry, incidentReported, retraction, seedArticleScenario } from './seed-article.fixture';

const entry = (event: LedgerEvent): ScenarioEntry => incidentEntry(event);

export const SURVIVOR = '7d6f0f4e-1a57-4c43-9a0e-2019060300b2';
export const SPLIT_OFF = 'c0ffee00-0000-4000-8000-2019060300d4';

/** The seed article's incident, then another report of the same night (SURVIVOR, one claim) that absorbs it. */
export const mergedSeedScenario = (): ScenarioEntry[] => [
  ...seedArticleScenario(),
  incidentReported(SURVIVOR, { title: 'Officer killed near Tartar' }),
  claimMade(SURVIVOR, 'claim-survivor-az', PARTY.azDefence, { assertions: { responsibleParties: [PARTY.karabakhArmy] } }),
  entry({ type: 'IncidentMergedInto', data: { incidentId: INCIDENT_ID, survivorId: SURVIVOR, mergeId: 'merge-1', reason: 'The same night' } }),
  entry({ type: 'IncidentsMerged', data: { incidentId: SURVIVOR, absorbedId: INCIDENT_ID, mergeId: 'merge-1', absorbedRevision: '10', reason: 'The same night' } }),
];

/** The seed article's incident, then `claimIds` of it split off into SPLIT_OFF. */
export const splitSeedScenario = (claimIds: string[]): ScenarioEntry[] => [
  ...seedArticleScenario(),
  entry({ type: 'IncidentSplit', data: { incidentId: INCIDENT_ID, newIncidentId: SPLIT_OFF, splitId: 'split-1', claimIds, reason: 'Another night' } }),
  incidentReported(SPLIT_OFF, { title: 'Another night' }),
  entry({ type: 'IncidentSplitFrom', data: { incidentId: SPLIT_OFF, sourceId: INCIDENT_ID, splitId: 'split-1', claimIds, sourceRevision: '10', reason: 'Another night' } }),
];

/** One thing done to an incident, by index into what exists so far (wrapping round it). */
export type LedgerOp =
  | { kind: 'make'; party: number; supersedes: number[] }
  | { kind: 'correct' | 'retract' | 'amendClaim' | 'grade'; claim: number }
  | { kind: 'deny'; party: number; claim: number }
  | { kind: 'amendDenial'; denial: number };

const OP_PARTIES = [PARTY.azDefence, PARTY.karabakhArmy, PARTY.amForeign];
/** Any operation, for property tests. */
export const ledgerOpArb: fc.Arbitrary<LedgerOp> = fc.oneof(
  fc.record({ kind: fc.constant('make' as const), party: fc.nat(2), supersedes: fc.array(fc.nat(5), { maxLength: 2 }) }),
  fc.record({ kind: fc.constantFrom('correct' as const, 'retract' as const, 'amendClaim' as const, 'grade' as const), claim: fc.nat(7) }),
  fc.record({ kind: fc.constant('deny' as const), party: fc.nat(2), claim: fc.nat(7) }),
  fc.record({ kind: fc.constant('amendDenial' as const), denial: fc.nat(3) }),
);

/** The operations as entries the deciders would have accepted, on a fresh incident (INCIDENT_ID). */
export const ledgerOpEntries = (ops: LedgerOp[]): ScenarioEntry[] => {
  const made: Array<{ claimId: string; partyId: string; version: number; retracted: boolean }> = [];
  const denials: string[] = [];
  const stated = { at: '2019-06-02', precision: 'day' as const };
  const entries: ScenarioEntry[] = [incidentReported(INCIDENT_ID)];
  for (const op of ops) {
    if (op.kind === 'make') {
      const partyId = OP_PARTIES[op.party];
      const own = made.filter((c) => c.partyId === partyId && !c.retracted);
      const supersedes = [...new Set(op.supersedes.filter((i) => i < own.length).map((i) => own[i].claimId))];
      const claimId = `claim-${made.length}`;
      made.push({ claimId, partyId, version: 1, retracted: false });
      entries.push(claimMade(INCIDENT_ID, claimId, partyId, { supersedes, assertions: { responsibleParties: [OP_PARTIES[(op.party + 1) % 3]] } }));
      continue;
    }
    if (op.kind === 'amendDenial') {
      // Indices wrap round what exists, so that most operations land on something.
      const denialId = denials[op.denial % Math.max(1, denials.length)];
      if (denialId) entries.push(amendment(`amend-${entries.length}`, { kind: 'denial', denialId }, { statement: { text: 'Denied, as transcribed anew.', verbatim: false } }, 'Typo'));
      continue;
    }
    const standing = made.filter((c) => !c.retracted);
    const target = standing[op.claim % Math.max(1, standing.length)];
    if (!target) continue;
    const { claimId, partyId } = target;
    switch (op.kind) {
      case 'correct':
        target.version += 1;
        entries.push(entry({ type: 'ClaimCorrected', data: { incidentId: INCIDENT_ID, claimId, partyId, version: target.version, assertions: { responsibleParties: [] }, reason: 'Corrected.', statedAt: stated, source: article } }));
        break;
      case 'retract':
        target.retracted = true;
        entries.push(retraction(claimId, partyId, 'Withdrawn.', '2019-06-03'));
        break;
      case 'amendClaim':
        entries.push(amendment(`amend-${entries.length}`, { kind: 'claim', claimId, version: target.version }, { statement: { text: 'As the party said it.', verbatim: false } }, 'Typo'));
        break;
      case 'grade':
        entries.push(grading(claimId, target.version, 'B2'));
        break;
      case 'deny': {
        const denier = OP_PARTIES[op.party];
        if (denier === partyId) break;
        const denialId = `denial-${denials.length}`;
        denials.push(denialId);
        entries.push(
          entry({
            type: 'ClaimDenied',
            data: { incidentId: INCIDENT_ID, denialId, claimId, claimPartyId: partyId, partyId: denier, claimVersion: target.version, statement: { text: 'Not so.', verbatim: false }, deniedAssertions: [], statedAt: stated, source: article },
          }),
        );
        break;
      }
    }
  }
  return entries;
};

/** The log cut at the given points (wrapped into range, sorted, deduplicated): the batches a live projection may see. */
export const cutLog = <T>(envelopes: T[], points: number[]): T[][] => {
  const at = [...new Set(points.map((p) => p % (envelopes.length + 1)))].sort((a, b) => a - b);
  const pieces: T[][] = [];
  let from = 0;
  for (const to of [...at, envelopes.length]) {
    if (to > from) pieces.push(envelopes.slice(from, to));
    from = Math.max(from, to);
  }
  return pieces;
};
