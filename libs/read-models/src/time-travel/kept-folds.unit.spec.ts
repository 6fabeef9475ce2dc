import fc from 'fast-check';
import { LedgerEnvelope } from '../envelope';
import { ledgerOpArb, ledgerOpEntries } from '../testing/ledger-operations.fixture';
import { INCIDENT_ID, envelopesOf, seedArticleEnvelopes } from '../testing/seed-article.fixture';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { AsOf } from './as-of';
import { incidentChanges } from './incident-changes';
import { KeptFolds, partyVersionsAsOf, withFoldedReadModels } from './time-travel';

const log = seedArticleEnvelopes();
const position = (p: number): AsOf => ({ clock: 'position', position: BigInt(p) });
/** The fold of the three events up to `upTo`: of two such windows, neither starts with the other's events. */
const storeOf = (folds: KeptFolds, upTo: number): SqliteReadModelStore => folds.fold(log.slice(upTo - 3, upTo), (store) => store);
const isOpen = (store: SqliteReadModelStore): boolean => {
  try {
    store.partyVersions(INCIDENT_ID);
    return true;
  } catch {
    return false;
  }
};

describe('KeptFolds', () => {
  let folds: KeptFolds;
  let clock: number;
  beforeEach(() => {
    clock = 0;
    folds = new KeptFolds(2, 60_000, () => clock);
  });
  afterEach(() => folds.close());

  it('folds the same events once, whatever moment chose them', () => {
    const first = storeOf(folds, 8);
    expect(storeOf(folds, 8)).toBe(first);
    expect(storeOf(folds, 9)).not.toBe(first);
    expect(folds.size).toBe(2);
  });

  it('answers as a fold of its own would', () => {
    const byPosition = partyVersionsAsOf(log, INCIDENT_ID, position(12), undefined, { limit: 100 }, folds.fold);
    expect(byPosition).toEqual(partyVersionsAsOf(log, INCIDENT_ID, position(12), undefined, { limit: 100 }));
    // The recorded clock's moment of the 12th event chooses the same events as its position: the same fold answers.
    const byTime = partyVersionsAsOf(log, INCIDENT_ID, { clock: 'recorded', at: log[11].recordedAt }, undefined, { limit: 2 }, folds.fold);
    expect(folds.size).toBe(1);
    expect(byTime).toEqual(partyVersionsAsOf(log, INCIDENT_ID, position(12), undefined, { limit: 2 }));
  });

  it('keeps the folds used last, and closes the one used longest ago', () => {
    const [a, b] = [storeOf(folds, 5), storeOf(folds, 6)];
    storeOf(folds, 5);
    const c = storeOf(folds, 7);
    expect(folds.size).toBe(2);
    expect([isOpen(a), isOpen(b), isOpen(c)]).toEqual([true, false, true]);
    expect(storeOf(folds, 6)).not.toBe(b);
  });

  it('closes a fold left unused for its idle time', () => {
    const a = storeOf(folds, 5);
    clock = 30_000;
    const b = storeOf(folds, 6);
    clock = 60_001;
    storeOf(folds, 6);
    expect(folds.size).toBe(1);
    expect([isOpen(a), isOpen(b)]).toEqual([false, true]);
  });

  it('never closes a fold while it is read, as the changes read one inside another', () => {
    storeOf(folds, 3);
    storeOf(folds, 4);
    const kept = incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2 }, folds.fold);
    expect(kept).toEqual(incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2 }));
    // Both moments' folds are kept for the next page.
    const next = incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2, after: kept.page.next! }, folds.fold);
    expect(folds.size).toBe(2);
    expect(next).toEqual(incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2, after: kept.page.next! }));
  });

  it('keeps two folds at least, since the changes read two at once', () => {
    const one = new KeptFolds(1);
    try {
      const changes = incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2 }, one.fold);
      expect(changes).toEqual(incidentChanges(log, INCIDENT_ID, position(9), position(14), { limit: 2 }));
      expect(one.size).toBe(2);
    } finally {
      one.close();
    }
  });

  describe('a step forward folds only its new events', () => {
    /** What the incident's read models answer: its versions, its timeline and every claim's history. */
    const answers = (store: SqliteReadModelStore, envelopes: readonly LedgerEnvelope[]) => ({
      versions: store.partyVersions(INCIDENT_ID),
      timeline: store.incidentTimeline(INCIDENT_ID),
      histories: [...new Set(envelopes.flatMap(({ event }) => (event.type === 'ClaimMade' ? [event.data.claimId] : [])))].map((claimId) =>
        store.claimHistory(INCIDENT_ID, claimId),
      ),
    });
    const fresh = (envelopes: readonly LedgerEnvelope[]) => withFoldedReadModels(envelopes, (store) => answers(store, envelopes));

    it('takes the kept fold of the events before and folds the rest into it', () => {
      const earlier = folds.fold(log.slice(0, 5), (store) => store);
      const later = folds.fold(log.slice(0, 12), (store) => store);
      expect(later).toBe(earlier);
      expect(folds.size).toBe(1);
      expect(folds.fold(log.slice(0, 12), (store) => answers(store, log))).toEqual(fresh(log.slice(0, 12)));
    });

    it('folds afresh what does not start with a kept fold\'s events', () => {
      const kept = folds.fold(log.slice(0, 5), (store) => store);
      const skipping = [...log.slice(0, 3), ...log.slice(4, 9)];
      expect(folds.fold(skipping, (store) => store)).not.toBe(kept);
      expect(folds.fold(skipping, (store) => answers(store, skipping))).toEqual(fresh(skipping));
      expect(isOpen(kept)).toBe(true);
    });

    it('answers as a fresh fold after any steps back and forth over any log', () => {
      fc.assert(
        fc.property(fc.array(ledgerOpArb, { minLength: 1, maxLength: 16 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (ops, steps) => {
          const envelopes = envelopesOf(ledgerOpEntries(ops));
          const stepping = new KeptFolds(2);
          try {
            for (const step of steps) {
              const cut = envelopes.slice(0, 1 + (step % envelopes.length));
              expect(stepping.fold(cut, (store) => answers(store, cut))).toEqual(fresh(cut));
            }
          } finally {
            stepping.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});
