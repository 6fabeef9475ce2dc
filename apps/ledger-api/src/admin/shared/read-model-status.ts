import type { RunnerStatus, SupervisionStatus } from '@ledger/read-models';
import { ProjectionHost } from '../../application/projection.host';

/** What the admin routes answer about the read models: the runner's status, positions as decimal strings. */
export type ReadModelStatusBody = Omit<RunnerStatus, 'checkpoint'> & { checkpoint: string; supervision: SupervisionStatus };

/** The runner's status with its supervision (retries, the next attempt, the last file moved aside), as JSON. */
export const readModelStatusBody = (projections: ProjectionHost): ReadModelStatusBody => {
  const status = projections.runner.status();
  return { ...status, checkpoint: status.checkpoint.toString(), supervision: projections.supervision() };
};
