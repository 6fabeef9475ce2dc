import { SignedCheckpoint } from '@ledger/integrity';
import { ProblemException } from '../platform/problem/problem.exception';
import type { NotaryService } from './notary.service';

/**
 * The checkpoint that signed exactly `treeSize` ledger events, or the latest when no size is asked for. A 404 names
 * the signed sizes nearest the one asked for, not every size signed (half a million a year at one a minute).
 */
export const checkpointOfSize = async (notary: Pick<NotaryService, 'checkpointOfSize'>, treeSize?: number, field = 'treeSize'): Promise<SignedCheckpoint> => {
  const { checkpoint, near } = await notary.checkpointOfSize(treeSize);
  if (checkpoint) return checkpoint;
  if (treeSize === undefined) throw new ProblemException(404, 'no-checkpoint', 'No checkpoint has been signed yet: POST /integrity/checkpoints');
  throw new ProblemException(404, 'no-checkpoint', `No checkpoint signed a tree of size ${treeSize}`, { field, nearestTreeSizes: near });
};
