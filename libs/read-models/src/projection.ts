import { LedgerEnvelope } from './envelope';

/**
 * Read access to the documents of the projection being evolved, as they stand
 * after every earlier event and every earlier key of the current event. Lets a
 * projection keep reverse indexes (e.g. which party made a claim) for events
 * that do not carry the key themselves. The documents are the caller's live
 * ones, not copies: read them, never change them (only the document handed to
 * `evolve` may be changed).
 */
export interface ProjectionContext<Doc> {
  get(key: string): Doc | undefined;
}

/**
 * A read model as pure functions of the log, independent of where documents
 * are kept: the SQLite runner and the in-memory fold (time travel) run the
 * same code, so the past is answered exactly like the present.
 *
 * Ownership contract of `evolve`, which keeps an event's cost proportional to
 * what the event touches rather than to the document's whole history:
 *
 * - The caller hands `evolve` a document it owns privately: no other document,
 *   no stored copy and nothing the caller later reads as the old state shares
 *   an object with it. `evolve` may change it in place, anywhere inside, and
 *   returns it (or a new document, or undefined to delete it); the caller
 *   keeps only what it returns. The store's `applyBatch` parses each document
 *   fresh from SQLite once per batch and serialises it at the end of the
 *   batch; `foldProjectionState` copies its starting documents once, up front.
 * - `evolve` changes nothing else: not the event (one envelope is folded into
 *   every projection, and may be folded again), and not the documents
 *   `ctx.get` returns for other keys. Values taken from the event into a
 *   document are therefore never changed in place later, only replaced;
 *   containers the projection builds itself (its arrays, records, entries) may
 *   be changed in place.
 * - The result depends only on the document's content (its JSON) and the
 *   event, never on object identity, so folding the log in one go or in
 *   batches of any size, with a JSON round trip between batches, gives the
 *   same documents.
 */
export interface DocumentProjection<Doc> {
  /** kebab-case, named after the question the read model answers. */
  name: string;
  /** Bump whenever the document shape or meaning changes; a mismatch with the stored checkpoint forces a rebuild. */
  version: number;
  /** Which documents an event touches, evolved in this order; [] ignores the event. */
  keysOf(e: LedgerEnvelope, ctx: ProjectionContext<Doc>): string[];
  /**
   * The document's next state: `doc` updated in place and returned, or a new
   * document; undefined deletes it (or leaves it absent). May change `doc`
   * and nothing else (see the ownership contract above).
   */
  evolve(doc: Doc | undefined, e: LedgerEnvelope, key: string, ctx: ProjectionContext<Doc>): Doc | undefined;
  /**
   * For a read model that stores each public document in parts, so that an
   * event rewrites only the part it touches however long the history grows
   * (party-record: one part per party and incident). The internal documents
   * whose keys start with `prefixOf(key)` are the parts of public document
   * `key`; `assemble` puts together the document clients see from the stored
   * public document and those parts (given in key order), without changing
   * either. Queries and `foldProjection` return assembled documents; the
   * store, `foldProjectionState` and dumps keep the parts.
   */
  parts?: {
    prefixOf(key: string): string;
    assemble(doc: Doc, parts: Doc[]): Doc;
  };
}

/**
 * Keys starting with this prefix hold a projection's internal bookkeeping
 * (reverse indexes, state a view is derived from, parts of a document). Party
 * slugs and claim ids never start with it, and query helpers never return such
 * documents.
 */
export const INTERNAL_KEY_PREFIX = '~';

export const isInternalKey = (key: string): boolean => key.startsWith(INTERNAL_KEY_PREFIX);

export type AnyProjection = DocumentProjection<any>;

/** Documents are plain JSON, so a JSON round trip is a faithful deep copy (and structuredClone would cross realms under jest's VM). */
export const cloneDocument = <Doc>(doc: Doc): Doc => JSON.parse(JSON.stringify(doc)) as Doc;

/**
 * Folds envelopes into every document of a projection, internal ones included.
 * The documents of `initial` are copied once, up front (the caller's map and
 * documents stay as they were); the returned map and its documents belong to
 * the caller.
 */
export const foldProjectionState = <Doc>(
  projection: DocumentProjection<Doc>,
  envelopes: Iterable<LedgerEnvelope>,
  initial?: ReadonlyMap<string, Doc>,
): Map<string, Doc> => {
  const docs = new Map<string, Doc>();
  for (const [key, doc] of initial ?? []) docs.set(key, cloneDocument(doc));
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

/** The keys of a sorted array that start with `prefix`, found by binary search. */
const keysWithPrefix = (sorted: readonly string[], prefix: string): string[] => {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  const keys: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i].startsWith(prefix); i++) keys.push(sorted[i]);
  return keys;
};

/**
 * The public documents of a projection's state (as `foldProjectionState`
 * returns it) as clients see them, assembled from their parts where the
 * projection stores documents in parts; keyed as the store keys them.
 */
export const publicDocuments = <Doc>(projection: DocumentProjection<Doc>, state: ReadonlyMap<string, Doc>): Map<string, Doc> => {
  const parts = projection.parts;
  const internal = parts ? [...state.keys()].filter(isInternalKey).sort() : [];
  const docs = new Map<string, Doc>();
  for (const [key, doc] of state) {
    if (isInternalKey(key)) continue;
    docs.set(key, parts ? parts.assemble(doc, keysWithPrefix(internal, parts.prefixOf(key)).map((k) => state.get(k)!)) : doc);
  }
  return docs;
};

/** Folds envelopes into the projection's public documents as clients see them, keyed as the store keys them. */
export const foldProjection = <Doc>(projection: DocumentProjection<Doc>, envelopes: Iterable<LedgerEnvelope>): Map<string, Doc> =>
  publicDocuments(projection, foldProjectionState(projection, envelopes));
