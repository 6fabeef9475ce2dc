import { SignedCheckpoint } from '@ledger/integrity';
import { ProblemException } from '../platform/problem/problem.exception';

/** The checkpoint that signed exactly `treeSize` ledger events, or the latest when no size is asked for. */
export const checkpointOfSize = (checkpoints: readonly SignedCheckpoint[], treeSize?: number, field = 'treeSize'): SignedCheckpoint => {
  if (checkpoints.length === 0) throw new ProblemException(404, 'no-checkpoint', 'No checkpoint has been signed yet: POST /integrity/checkpoints');
  if (treeSize === undefined) return checkpoints[checkpoints.length - 1];
  const found = checkpoints.find((checkpoint) => checkpoint.treeSize === treeSize);
  if (!found) {
    throw new ProblemException(404, 'no-checkpoint', `No checkpoint signed a tree of size ${treeSize}`, {
      field,
      treeSizes: checkpoints.map((checkpoint) => checkpoint.treeSize),
    });
  }
  return found;
};
