import { ProjectionHost } from '../../application/projection.host';

export interface ReadModelsState {
  /** current: the read models show every line of the import; pending: not yet, after the usual read-your-writes wait. */
  state: 'current' | 'pending';
  /** The global position the read models have reached. */
  checkpoint: string;
}

/** Where the read models stand after an import: they show it, or not yet after the usual read-your-writes wait. */
export const readModelsAfter = async (projections: ProjectionHost, summary: { lastPosition: string | null }): Promise<ReadModelsState> => {
  const current = summary.lastPosition === null || (await projections.caughtUpTo(BigInt(summary.lastPosition)));
  return { state: current ? 'current' : 'pending', checkpoint: projections.runner.status().checkpoint.toString() };
};
