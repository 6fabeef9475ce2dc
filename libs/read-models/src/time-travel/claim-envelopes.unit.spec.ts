import fc from 'fast-check';
import { LedgerEnvelope } from '../envelope';
import { INCIDENT_ID, envelopesOf, seedArticleScenario } from '../testing/seed-article.fixture';
import { SPLIT_OFF, SURVIVOR, ledgerOpArb, ledgerOpEntries, mergedSeedScenario, splitSeedScenario } from '../testing/ledger-operations.fixture';
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

describe('a claim\'s history folded from its own events equals the whole incident\'s fold', () => {
  it('for every claim of the seed article at every position and on the stated clock', () => {
    expectSameHistories(envelopesOf(seedArticleScenario()), [INCIDENT_ID]);
  });

  it('after a merge, asked under either incident', () => {
    const merged = envelopesOf(mergedSeedScenario());
    expectSameHistories(merged, [SURVIVOR, INCIDENT_ID], 3);
  });

  it('after a split, asked under either incident', () => {
    const claimIds = claimIdsOf(envelopesOf(seedArticleScenario())).slice(0, 2);
    const split = envelopesOf(splitSeedScenario(claimIds));
    expectSameHistories(split, [INCIDENT_ID, SPLIT_OFF], 3);
  });

  it('after any claims, supersessions, corrections, retractions, denials, grades and amendments', () => {
    fc.assert(
      fc.property(fc.array(ledgerOpArb, { minLength: 1, maxLength: 16 }), (ops) => {
        expectSameHistories(envelopesOf(ledgerOpEntries(ops)), [INCIDENT_ID], 4);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the claim\'s own events and those that change it, and drops the other claims\'', () => {
    const envelopes = envelopesOf(ledgerOpEntries([{ kind: 'make', party: 0, supersedes: [] }, { kind: 'make', party: 1, supersedes: [] }, { kind: 'make', party: 0, supersedes: [0] }, { kind: 'deny', party: 1, claim: 0 }]));
    const types = claimEnvelopes(envelopes, 'claim-0').map(({ event }) => `${event.type}:${'claimId' in event.data ? event.data.claimId : ''}`);
    expect(types).toEqual(['IncidentReported:', 'ClaimMade:claim-0', 'ClaimMade:claim-2', 'ClaimDenied:claim-0']);
  });
});
