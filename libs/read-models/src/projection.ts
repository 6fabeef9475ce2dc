import { LedgerEnvelope } from './envelope';

/**
 * Read access to the documents of the projection being evolved, as they stand
 * after every earlier event and every earlier key of the current event. Lets a
 * projection keep reverse indexes (e.g. which party made a claim) for events
 * that do not carry the key themselves.
 */
export interface ProjectionContext<Doc> {
  get(key: string): Doc | undefined;
}

/**
 * A read model as pure functions of the log, independent of where documents
 * are kept: the SQLite runner and the in-memory fold (time travel) run the
 * same code, so the past is answered exactly like the present.
 */
export interface DocumentProjection<Doc> {
  /** kebab-case, named after the question the read model answers. */
  name: string;
  /** Bump whenever the document shape or meaning changes; a mismatch with the stored checkpoint forces a rebuild. */
  version: number;
  /** Which documents an event touches, evolved in this order; [] ignores the event. */
  keysOf(e: LedgerEnvelope, ctx: ProjectionContext<Doc>): string[];
  /** Returns the document's next state; undefined deletes it (or leaves it absent). Must not mutate `doc`. */
  evolve(doc: Doc | undefined, e: LedgerEnvelope, key: string, ctx: ProjectionContext<Doc>): Doc | undefined;
}

/**
 * Keys starting with this prefix hold a projection's internal bookkeeping
 * (reverse indexes, state a view is derived from). Party slugs and claim ids
 * never start with it, and query helpers never return such documents.
 */
export const INTERNAL_KEY_PREFIX = '~';

export const isInternalKey = (key: string): boolean => key.startsWith(INTERNAL_KEY_PREFIX);

export type AnyProjection = DocumentProjection<any>;

/** Folds envelopes into every document of a projection, internal ones included. */
export const foldProjectionState = <Doc>(
  projection: DocumentProjection<Doc>,
  envelopes: Iterable<LedgerEnvelope>,
  initial?: Map<string, Doc>,
): Map<string, Doc> => {
  const docs = new Map<string, Doc>(initial ?? []);
  const ctx: ProjectionContext<Doc> = { get: (key) => docs.get(key) };
  for (const e of envelopes) {
    for (const key of projection.keysOf(e, ctx)) {
      const next = projection.evolve(docs.get(key), e, key, ctx);
      if (next === undefined) docs.delete(key);
      else docs.set(key, next);
    }
  }
  return docs;
};

/** Folds envelopes into the projection's public documents, keyed as the store keys them. */
export const foldProjection = <Doc>(projection: DocumentProjection<Doc>, envelopes: Iterable<LedgerEnvelope>): Map<string, Doc> => {
  const all = foldProjectionState(projection, envelopes);
  return new Map([...all].filter(([key]) => !isInternalKey(key)));
};

/** Documents are plain JSON, so a JSON round trip is a faithful deep copy (and structuredClone would cross realms under jest's VM). */
export const cloneDocument = <Doc>(doc: Doc): Doc => JSON.parse(JSON.stringify(doc)) as Doc;
