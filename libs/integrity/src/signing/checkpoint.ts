import { KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { NotaryKey, keyIdOf } from './notary-key';

/** The last event of a stream as of the checkpoint. */
export interface StreamHead {
  stream: string;
  /** Decimal string: revisions are 64-bit. */
  revision: string;
  hash: string;
}

/** What the notary signs: the Merkle tree head over the ledger streams' events, plus where it ends. */
export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: string;
  /** Decimal global position of the last leaf, "0" for an empty tree. */
  lastPosition: string;
  timestamp: string;
  keyId: string;
  streamHeads: StreamHead[];
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Standard padded base64 Ed25519 signature over checkpointSigningInput(body). */
  signature: string;
}

const HEX_HASH = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
// Ed25519 signatures are 64 bytes: 86 base64 characters and "==".
const SIGNATURE = /^[A-Za-z0-9+/]{85}[AQgw]==$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStreamHead = (value: unknown): value is StreamHead =>
  isRecord(value) &&
  typeof value.stream === 'string' &&
  value.stream !== '' &&
  typeof value.revision === 'string' &&
  DECIMAL.test(value.revision) &&
  typeof value.hash === 'string' &&
  HEX_HASH.test(value.hash);

/**
 * Shape only, not meaning: fields a later version adds are allowed, since the signature covers them too.
 */
export const isCheckpointBody = (value: unknown): value is CheckpointBody =>
  isRecord(value) &&
  typeof value.origin === 'string' &&
  value.origin !== '' &&
  typeof value.treeSize === 'number' &&
  Number.isSafeInteger(value.treeSize) &&
  value.treeSize >= 0 &&
  typeof value.rootHash === 'string' &&
  HEX_HASH.test(value.rootHash) &&
  typeof value.lastPosition === 'string' &&
  DECIMAL.test(value.lastPosition) &&
  typeof value.timestamp === 'string' &&
  ISO_8601.test(value.timestamp) &&
  !Number.isNaN(Date.parse(value.timestamp)) &&
  typeof value.keyId === 'string' &&
  HEX_HASH.test(value.keyId) &&
  Array.isArray(value.streamHeads) &&
  value.streamHeads.every(isStreamHead);

export const isSignedCheckpoint = (value: unknown): value is SignedCheckpoint => {
  if (!isCheckpointBody(value)) return false;
  const { signature } = value as { signature?: unknown };
  return typeof signature === 'string' && SIGNATURE.test(signature);
};

/** UTF-8 of the RFC 8785 canonical JSON of every field except `signature`. */
export const checkpointSigningInput = (body: CheckpointBody): Buffer => {
  const { signature: _signature, ...unsigned } = body as CheckpointBody & { signature?: unknown };
  const text = canonicalJson(unsigned);
  if (text === undefined) throw new TypeError('Checkpoint body has no JSON encoding');
  return Buffer.from(text, 'utf8');
};

export const signCheckpoint = (body: CheckpointBody, key: NotaryKey): SignedCheckpoint => {
  if (body.keyId !== key.keyId) {
    throw new Error(`Checkpoint names key ${body.keyId} but is being signed with key ${key.keyId}`);
  }
  const { signature: _previous, ...unsigned } = body as CheckpointBody & { signature?: unknown };
  if (!isCheckpointBody(unsigned)) throw new TypeError('Not a well-formed checkpoint body');
  const signature = sign(null, checkpointSigningInput(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, signature };
};

/**
 * True only for a well-formed checkpoint signed by `publicKey` that also names that key: a valid signature under
 * a checkpoint claiming another keyId is refused, so keyId can be trusted to select keys.
 */
export const verifyCheckpointSignature = (cp: unknown, publicKey: KeyObject): boolean => {
  try {
    if (!isSignedCheckpoint(cp)) return false;
    if (!(publicKey instanceof KeyObject) || publicKey.asymmetricKeyType !== 'ed25519') return false;
    if (keyIdOf(publicKey) !== cp.keyId) return false;
    return verify(null, checkpointSigningInput(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
};
