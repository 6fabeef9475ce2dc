import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidStatsQueryError, ReadModelQueries } from '@ledger/read-models';
import { checkpointEtag, notModified } from '../../platform/http/conditional-get';
import { csvRequested } from '../../platform/http/conditional-get.csv';
import { ProblemException } from '../../platform/problem/problem.exception';

/**
 * Answers a statistics request: a 304 before any aggregate runs when the client holds the answer for the read models'
 * current checkpoint (the answer is a function of the tables and the URL); otherwise the aggregate, a bad bound a 400.
 * The checkpoint is read before the aggregate, so the tag never names a later state than the body shows.
 */
export const answerStats = async <T>(readModels: ReadModelQueries, request: FastifyRequest, reply: FastifyReply, compute: () => Promise<T>): Promise<T | undefined> => {
  const position = (await readModels.readCheckpoint())?.position ?? 0n;
  // A CSV answer's tag is its content's (the JSON one's would name another representation).
  if (!csvRequested(request) && notModified(request, reply, checkpointEtag(position))) return undefined;
  try {
    return await compute();
  } catch (error) {
    if (error instanceof InvalidStatsQueryError) throw new ProblemException(400, 'invalid-query', error.message, { field: error.field });
    throw error;
  }
};
