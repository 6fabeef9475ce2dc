import type { RunnerStatus, SupervisionStatus } from '@ledger/read-models';
import { ProjectionHost, ReadModelsLocation } from '../../application/projection.host';

/** What the admin routes answer about the read models: the runner's status, positions as decimal strings, and where they live. */
export type ReadModelStatusBody = Omit<RunnerStatus, 'checkpoint'> & {
  checkpoint: string;
  supervision: SupervisionStatus;
  /** Among replicas on PostgreSQL: whether this one holds the projector lease (the others report the stored checkpoint). */
  leading?: boolean;
} & ReadModelsLocation;

/** The runner's status with its supervision (retries, the next attempt, the last file moved aside), as JSON. */
export const readModelStatusBody = (projections: ProjectionHost): ReadModelStatusBody => {
  const status = projections.runner.status();
  const { name, state, checkpoint, caughtUp, lastError, projectionVersions } = status;
  const leading = 'leading' in status && typeof status.leading === 'boolean' ? { leading: status.leading } : {};
  return { name, state, checkpoint: checkpoint.toString(), caughtUp, lastError, projectionVersions, ...leading, ...projections.location(), supervision: projections.supervision() };
};
