import fc from 'fast-check';
import { LedgerEvent } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import {
  INCIDENT_ID,
  PARTY,
  ScenarioEntry,
  amendment,
  article,
  claimMade,
  envelopesOf,
  grading,
  incidentEntry,
  incidentReported,
  retraction,
  seedArticleScenario,
} from '../testing/seed-article.fixture';
import { AsOf } from './as-of';
import { claimEnvelopes, claimHistoryAsOf, incidentEnvelopesAsOf, namedBy, withFoldedReadModels } from './time-travel';

/** The history as the whole incident's fold answers it: what claimHistoryAsOf answered before it folded the claim's events alone. */
const wholeFold = (all: LedgerEnvelope[], incidentId: string, claimId: string, asOf?: AsOf) =>
  namedBy(all, withFoldedReadModels(incidentEnvelopesAsOf(all, incidentId, asOf), (store) => store.claimHistory(incidentId, claimId)));

const claimIdsOf = (envelopes: LedgerEnvelope[]): string[] => [
  ...new Set(envelopes.flatMap(({ event }) => (event.type === 'ClaimMade' ? [event.data.claimId] : []))),
];

/** Every claim of the log, asked under each incident given, at each cut (every `step`-th position and the end). */
const expectSameHistories = (envelopes: LedgerEnvelope[], incidentIds: string[], step = 1): void => {
  const cuts: Array<AsOf | undefined> = [undefined, { clock: 'stated', at: '2019-06-02T23:59:59.999Z' }];
  for (let p = 1; p <= envelopes.length; p += step) cuts.push({ clock: 'position', position: BigInt(p) });
  for (const incidentId of incidentIds) {
    for (const claimId of [...claimIdsOf(envelopes), 'no-such-claim']) {
      for (const asOf of cuts) expect(claimHistoryAsOf(envelopes, incidentId, claimId, asOf)).toEqual(wholeFold(envelopes, incidentId, claimId, asOf));
    }
  }
};

const SURVIVOR = '7d6f0f4e-1a57-4c43-9a0e-2019060300b2';
const SPLIT_OFF = 'c0ffee00-0000-4000-8000-2019060300d4';
const entry = (event: LedgerEvent): ScenarioEntry => incidentEntry(event);

describe('a claim\'s history folded from its own events equals the whole incident\'s fold', () => {
  it('for every claim of the seed article at every position and on the stated clock', () => {
    expectSameHistories(envelopesOf(seedArticleScenario()), [INCIDENT_ID]);
  });

  it('after a merge, asked under either incident', () => {
    const merged = envelopesOf([
      ...seedArticleScenario(),
      incidentReported(SURVIVOR, { title: 'Officer killed near Tartar' }),
      claimMade(SURVIVOR, 'claim-survivor-az', PARTY.azDefence, { assertions: { responsibleParties: [PARTY.karabakhArmy] } }),
      entry({ type: 'IncidentMergedInto', data: { incidentId: INCIDENT_ID, survivorId: SURVIVOR, mergeId: 'merge-1', reason: 'The same night' } }),
      entry({ type: 'IncidentsMerged', data: { incidentId: SURVIVOR, absorbedId: INCIDENT_ID, mergeId: 'merge-1', absorbedRevision: '10', reason: 'The same night' } }),
    ]);
    expectSameHistories(merged, [SURVIVOR, INCIDENT_ID], 3);
  });

  it('after a split, asked under either incident', () => {
    const claimIds = claimIdsOf(envelopesOf(seedArticleScenario())).slice(0, 2);
    const split = envelopesOf([
      ...seedArticleScenario(),
      entry({ type: 'IncidentSplit', data: { incidentId: INCIDENT_ID, newIncidentId: SPLIT_OFF, splitId: 'split-1', claimIds, reason: 'Another night' } }),
      incidentReported(SPLIT_OFF, { title: 'Another night' }),
      entry({ type: 'IncidentSplitFrom', data: { incidentId: SPLIT_OFF, sourceId: INCIDENT_ID, splitId: 'split-1', claimIds, sourceRevision: '10', reason: 'Another night' } }),
    ]);
    expectSameHistories(split, [INCIDENT_ID, SPLIT_OFF], 3);
  });

  type Op =
    | { kind: 'make'; party: number; supersedes: number[] }
    | { kind: 'correct' | 'retract' | 'amendClaim' | 'grade'; claim: number }
    | { kind: 'deny'; party: number; claim: number }
    | { kind: 'amendDenial'; denial: number };

  const parties = [PARTY.azDefence, PARTY.karabakhArmy, PARTY.amForeign];
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('make' as const), party: fc.nat(2), supersedes: fc.array(fc.nat(5), { maxLength: 2 }) }),
    fc.record({ kind: fc.constantFrom('correct' as const, 'retract' as const, 'amendClaim' as const, 'grade' as const), claim: fc.nat(7) }),
    fc.record({ kind: fc.constant('deny' as const), party: fc.nat(2), claim: fc.nat(7) }),
    fc.record({ kind: fc.constant('amendDenial' as const), denial: fc.nat(3) }),
  );

  /** The operations as entries the deciders would have accepted, on a fresh incident. */
  const entriesOf = (ops: Op[]): ScenarioEntry[] => {
    const made: Array<{ claimId: string; partyId: string; version: number; retracted: boolean }> = [];
    const denials: string[] = [];
    const stated = { at: '2019-06-02', precision: 'day' as const };
    const entries: ScenarioEntry[] = [incidentReported(INCIDENT_ID)];
    for (const op of ops) {
      if (op.kind === 'make') {
        const partyId = parties[op.party];
        const own = made.filter((c) => c.partyId === partyId && !c.retracted);
        const supersedes = [...new Set(op.supersedes.filter((i) => i < own.length).map((i) => own[i].claimId))];
        const claimId = `claim-${made.length}`;
        made.push({ claimId, partyId, version: 1, retracted: false });
        entries.push(claimMade(INCIDENT_ID, claimId, partyId, { supersedes, assertions: { responsibleParties: [parties[(op.party + 1) % 3]] } }));
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
          const denier = parties[op.party];
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

  it('after any claims, supersessions, corrections, retractions, denials, grades and amendments', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 16 }), (ops) => {
        expectSameHistories(envelopesOf(entriesOf(ops)), [INCIDENT_ID], 4);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the claim\'s own events and those that change it, and drops the other claims\'', () => {
    const envelopes = envelopesOf(entriesOf([{ kind: 'make', party: 0, supersedes: [] }, { kind: 'make', party: 1, supersedes: [] }, { kind: 'make', party: 0, supersedes: [0] }, { kind: 'deny', party: 1, claim: 0 }]));
    const types = claimEnvelopes(envelopes, 'claim-0').map(({ event }) => `${event.type}:${'claimId' in event.data ? event.data.claimId : ''}`);
    expect(types).toEqual(['IncidentReported:', 'ClaimMade:claim-0', 'ClaimMade:claim-2', 'ClaimDenied:claim-0']);
  });
});
