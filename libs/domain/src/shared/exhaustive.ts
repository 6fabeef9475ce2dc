/**
 * The default of a switch over every kind of something (event types): the
 * argument is `never` when each kind has its case, so adding a kind without
 * one fails `tsc` here instead of being skipped at run time.
 */
export const unhandled = (value: never, what: string): never => {
  throw new Error(`No rule for ${what} ${JSON.stringify((value as { type?: unknown })?.type ?? value)}`);
};
