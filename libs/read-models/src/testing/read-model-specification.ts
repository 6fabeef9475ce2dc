import { jestExpect } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { foldReadModels } from '../time-travel/time-travel';

export interface ReadModelThen {
  /**
   * Folds the given events, then the events of `when`, and hands the read
   * models to `check`; before that, proves the fold does not depend on how the
   * log is cut into batches (all in one batch, and one event per batch, give
   * the same rows) or on what the writer keeps in memory between batches.
   */
  then<T>(check: (readModels: SqliteReadModelStore) => T): T;
}

export interface ReadModelWhen {
  when(...events: LedgerEnvelope[]): ReadModelThen;
}

/**
 * Given/when/then for the read models, beside the deciders' one:
 *
 *   ReadModelSpecification.given(seedArticleEnvelopes()).when(retraction).then((rm) =>
 *     expect(rm.partyVersions(INCIDENT_ID)?.disagreements).toEqual([...]));
 *
 * Each `then` folds into a fresh in-memory store with the projection that
 * feeds the live tables.
 */
export const ReadModelSpecification = {
  given: (given: LedgerEnvelope[] = []): ReadModelWhen => ({
    when: (...when: LedgerEnvelope[]) => ({
      then<T>(check: (readModels: SqliteReadModelStore) => T): T {
        const all = [...given, ...when];
        // One event a batch: every row is read back from the file, not from the batch's held writes.
        const stepwise = new SqliteReadModelStore({ filename: ':memory:' });
        try {
          for (const e of all) stepwise.apply([e]);
          const inOneBatch = foldReadModels(all);
          try {
            jestExpect()(stepwise.dump()).toEqual(inOneBatch.dump());
            return check(inOneBatch);
          } finally {
            inOneBatch.close();
          }
        } finally {
          stepwise.close();
        }
      },
    }),
  }),
};

/** The read models of the envelopes given, in a throwaway store (closed by the caller, or left to the garbage collector in tests). */
export const readModelsOf = (envelopes: LedgerEnvelope[]): SqliteReadModelStore => foldReadModels(envelopes);
