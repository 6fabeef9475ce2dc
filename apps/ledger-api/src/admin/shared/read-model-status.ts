import { ProjectionHost } from '../../application/projection.host';

/** The runner's status with its supervision (retries, the next attempt, the last file moved aside), as JSON. */
export const readModelStatusBody = (projections: ProjectionHost) => {
  const status = projections.runner.status();
  return { ...status, checkpoint: status.checkpoint.toString(), supervision: projections.supervision() };
};
