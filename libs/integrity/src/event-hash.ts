import * as crypto from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * What an event's hash covers: everything a reader of the log sees of it except its global position, which
 * EventStoreDB assigns only after the write. The stream name and revision are inside, so an event moved to
 * another stream or place in its stream no longer matches its hash.
 */
export interface HashedEventContent {
  eventId: string;
  streamName: string;
  revision: bigint;
  type: string;
  data: unknown;
  /** With `prevHash` and without `hash`, which is what is being computed. */
  metadata: Record<string, unknown>;
}

/** Metadata keys the stores own; a caller that sets them is overwritten. */
export const PREV_HASH_KEY = 'prevHash';
export const HASH_KEY = 'hash';

/**
 * The bytes that are hashed: RFC 8785 (JCS) canonical JSON of the content, revision as a decimal string so the
 * encoding does not depend on how a reader represents 64-bit integers.
 */
export const canonicalEventBytes = (content: HashedEventContent): Buffer => Buffer.from(canonicalEventText(content), 'utf8');

const canonicalEventText = (content: HashedEventContent, dataText?: string): string => {
  // A rest pattern copies every time and is slow in V8; sealing hands in metadata that has no hash yet.
  const metadata = Object.hasOwn(content.metadata, HASH_KEY) ? withoutHash(content.metadata) : content.metadata;
  const what = `Event ${content.eventId}`;
  const parts = [
    dataText ?? canonicalOf(content.data ?? null, what),
    canonicalOf(content.eventId, what),
    canonicalOf(metadata, what),
    canonicalOf(content.revision.toString(), what),
    canonicalOf(content.streamName, what),
    canonicalOf(content.type, what),
  ];
  // RFC 8785 sorts these six members data, eventId, metadata, revision, streamName, type (UTF-16 order), so the object
  // is spliced rather than sorted again: the data's canonical text, the largest part, can then be made ahead of sealing.
  return `{"data":${parts[0]},"eventId":${parts[1]},"metadata":${parts[2]},"revision":${parts[3]},"streamName":${parts[4]},"type":${parts[5]}}`;
};

/**
 * canonicalJson, or a TypeError naming `what`: safe-stable-stringify throws a plain Error for NaN and Infinity, and the
 * caller's content, not the store, is at fault.
 */
const canonicalOf = (value: unknown, what: string): string => {
  let text: string | undefined;
  try {
    text = canonicalJson(value);
  } catch (error) {
    throw new TypeError(`${what} has no JSON encoding: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text === undefined) throw new TypeError(`${what} has no JSON encoding`);
  return text;
};

/** A copy without the hash key, in the same key order: what a spread copies of JSON data, an own `__proto__` included. */
const withoutHash = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(metadata)) {
    if (key === HASH_KEY) continue;
    if (key === '__proto__') Object.defineProperty(copy, key, { value: metadata[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = metadata[key];
  }
  return copy;
};

/** One-shot crypto.hash (Node ≥ 20.12) spares a Hash object per event, ~15% of sealing; older Node 20 lacks it. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** Lowercase hex SHA-256 of the canonical encoding (hashed from the string: no Buffer copy of it per event). */
export const eventHash = (content: HashedEventContent): string => sha256Hex(canonicalEventText(content));

/**
 * The canonical text of an event's data (null for none), as sealing hashes it. A store makes it ahead of sealing
 * (outside its write transaction; on the calling thread when another thread commits), so that data JSON cannot carry
 * (NaN, Infinity, bigint, functions, cycles) is refused, as a TypeError, before anything is written.
 */
export const canonicalDataText = (data: unknown): string => canonicalOf(data ?? null, 'event data');

export interface Sealable {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** canonicalDataText(data), when the caller already has it: sealing then hashes it instead of encoding data again. */
  dataText?: string;
}

/**
 * Links a batch onto its stream's chain: each event gets the hash of the one before it (`prevHash`, null for a
 * stream's first event) and its own `hash`. Event content is plain JSON data: the canonical encoding drops undefined
 * members and calls toJSON exactly as the stores' JSON.stringify does, so what is written is what was hashed without
 * a JSON round trip of every event first.
 */
export const sealEvents = <E extends Sealable>(
  streamName: string,
  firstRevision: bigint,
  prevHash: string | null,
  events: readonly E[],
): E[] => {
  let previous = prevHash;
  let revision = firstRevision;
  return events.map((event) => {
    // One fresh copy per event (the caller's object is left alone), hashed before its own hash is added to it.
    const metadata = withoutHash(event.metadata);
    metadata[PREV_HASH_KEY] = previous;
    const data = event.data === undefined ? null : event.data;
    const hash = sha256Hex(canonicalEventText({ eventId: event.eventId, streamName, revision, type: event.type, data, metadata }, event.dataText));
    metadata[HASH_KEY] = hash;
    previous = hash;
    revision += 1n;
    return { ...event, data, metadata };
  });
};

/** The hash an event's metadata claims for itself, when it has a well-formed one. */
export const storedHashOf = (metadata: Record<string, unknown> | undefined): string | undefined => {
  const value = metadata?.[HASH_KEY];
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
};
