#!/usr/bin/env node
// @ts-check
'use strict';

/*
 * Standalone verifier for Incident Ledger proofs and exports. Auditors run it without any ledger code, so it
 * re-implements the hashing and proof checks from the published definitions (see README.md) and depends only on
 * Node built-ins and the `canonicalize` package (RFC 8785).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** @type {(value: unknown) => string | undefined} */
const canonicalize = (() => {
  const loaded = require('canonicalize');
  return typeof loaded === 'function' ? loaded : loaded.default;
})();

/**
 * @typedef {{ ok: boolean, problems: string[], notes: string[] }} Result
 * @typedef {{ stream: string, revision: string, hash: string }} StreamHead
 * @typedef {{ origin: string, treeSize: number, rootHash: string, lastPosition: string, timestamp: string,
 *   keyId: string, streamHeads: StreamHead[], signature: string }} SignedCheckpoint
 * @typedef {{ eventId: string, streamName: string, revision: string, type: string, data: unknown,
 *   metadata: Record<string, unknown> }} LedgerEvent
 * @typedef {{ kty?: unknown, crv?: unknown, x?: unknown, kid?: unknown, use?: unknown, alg?: unknown }} Jwk
 */

const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const SIGNATURE = /^[A-Za-z0-9+/]{85}[AQgw]==$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const LEDGER_STREAM_PREFIXES = ['incident-', 'party-'];
// A destroyed log can fail on every line; past this the report only counts.
const MAX_PROBLEMS = 1000;

// ---------------------------------------------------------------------------------------------------------------
// Hashing

/** @param {Uint8Array} data */
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** @param {unknown} value @returns {value is string} */
const isHexHash = (value) => typeof value === 'string' && HEX_HASH.test(value);

/** @param {unknown} value @returns {value is string} */
const isDecimal = (value) => typeof value === 'string' && DECIMAL.test(value);

/** @param {unknown} value @returns {value is number} */
const isSize = (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** @param {unknown} name */
const isLedgerStream = (name) => typeof name === 'string' && LEDGER_STREAM_PREFIXES.some((prefix) => name.startsWith(prefix));

/**
 * Lowercase hex SHA-256 of the RFC 8785 JSON of {eventId, streamName, revision, type, data, metadata}, where
 * metadata keeps prevHash and drops hash (the value being computed).
 * @param {LedgerEvent} event
 */
const eventHashOf = (event) => {
  const { hash: _own, ...metadata } = event.metadata;
  const text = canonicalize({
    eventId: event.eventId,
    streamName: event.streamName,
    revision: event.revision,
    type: event.type,
    data: event.data === undefined ? null : event.data,
    metadata,
  });
  if (text === undefined) throw new TypeError('event has no JSON encoding');
  return sha256(Buffer.from(text, 'utf8')).toString('hex');
};

/** RFC 9162 leaf hash of an event: SHA-256(0x00 || the 32 raw bytes of its event hash). @param {string} eventHash */
const leafHashOf = (eventHash) => sha256(Buffer.concat([Buffer.from([0x00]), Buffer.from(eventHash, 'hex')]));

/** @param {Buffer} left @param {Buffer} right */
const nodeHashOf = (left, right) => sha256(Buffer.concat([Buffer.from([0x01]), left, right]));

const EMPTY_ROOT = sha256(Buffer.alloc(0));

/** @param {number} value */
const isOdd = (value) => value % 2 === 1;
/** @param {number} value */
const half = (value) => Math.floor(value / 2);
/** @param {number} value */
const isPowerOfTwo = (value) => {
  let k = 1;
  while (k < value) k *= 2;
  return k === value;
};

/** RFC 9162 §2.1.3.2. @param {Buffer} leaf @param {number} index @param {number} size @param {Buffer[]} proof @param {Buffer} root */
const verifyInclusionProof = (leaf, index, size, proof, root) => {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHashOf(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHashOf(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
};

/**
 * RFC 9162 §2.1.4.2, with the cases it leaves out: equal sizes need an empty proof and equal roots; the empty tree
 * (size 0) is a prefix of every tree.
 * @param {number} m @param {number} n @param {Buffer} firstRoot @param {Buffer} secondRoot @param {Buffer[]} proof
 */
const verifyConsistencyProof = (m, n, firstRoot, secondRoot, proof) => {
  if (!isSize(m) || !isSize(n) || m > n) return false;
  if (m === 0) return proof.length === 0 && firstRoot.equals(EMPTY_ROOT) && (n > 0 || secondRoot.equals(EMPTY_ROOT));
  if (m === n) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [firstRoot, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHashOf(c, fr);
      sr = nodeHashOf(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHashOf(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
};

/**
 * Streaming Merkle root: keeps one complete subtree per set bit of the leaf count, so any prefix's root is
 * available the moment that prefix has been read.
 */
class RootAccumulator {
  constructor() {
    /** @type {{ hash: Buffer, leaves: number }[]} */
    this.stack = [];
    this.size = 0;
  }

  /** @param {Buffer} leaf */
  push(leaf) {
    this.stack.push({ hash: leaf, leaves: 1 });
    this.size += 1;
    while (this.stack.length >= 2 && this.stack[this.stack.length - 1].leaves === this.stack[this.stack.length - 2].leaves) {
      const right = /** @type {{ hash: Buffer, leaves: number }} */ (this.stack.pop());
      const left = /** @type {{ hash: Buffer, leaves: number }} */ (this.stack.pop());
      this.stack.push({ hash: nodeHashOf(left.hash, right.hash), leaves: left.leaves * 2 });
    }
  }

  root() {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHashOf(this.stack[i].hash, hash);
    return hash;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Results

/** @returns {Result & { add: (problem: string) => void, note: (line: string) => void, done: () => Result }} */
const collector = () => {
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const notes = [];
  let suppressed = 0;
  return {
    ok: true,
    problems,
    notes,
    add(problem) {
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
      else suppressed += 1;
    },
    note(line) {
      notes.push(line);
    },
    done() {
      if (suppressed > 0) problems.push(`… and ${suppressed} more problems not listed`);
      return { ok: problems.length === 0, problems, notes };
    },
  };
};

/** @param {string} hex */
const short = (hex) => (typeof hex === 'string' && hex.length > 16 ? `${hex.slice(0, 12)}…` : String(hex));

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints and keys

/**
 * Why `value` is not a well-formed signed checkpoint, field by field.
 * @param {unknown} value @param {string} label @returns {string[]}
 */
const checkpointShapeProblems = (value, label) => {
  if (!isRecord(value)) return [`${label}: not a JSON object`];
  /** @type {string[]} */
  const problems = [];
  if (typeof value.origin !== 'string' || value.origin === '') problems.push(`${label}: origin is not a non-empty string`);
  if (!isSize(value.treeSize)) problems.push(`${label}: treeSize is not a non-negative integer`);
  if (!isHexHash(value.rootHash)) problems.push(`${label}: rootHash is not 64 lowercase hex digits`);
  if (!isDecimal(value.lastPosition)) problems.push(`${label}: lastPosition is not a decimal string`);
  if (typeof value.timestamp !== 'string' || !ISO_8601.test(value.timestamp) || Number.isNaN(Date.parse(value.timestamp))) {
    problems.push(`${label}: timestamp is not an ISO-8601 date-time`);
  }
  if (!isHexHash(value.keyId)) problems.push(`${label}: keyId is not 64 lowercase hex digits`);
  if (!Array.isArray(value.streamHeads)) {
    problems.push(`${label}: streamHeads is not an array`);
  } else {
    value.streamHeads.forEach((head, i) => {
      if (!isRecord(head) || typeof head.stream !== 'string' || !isDecimal(head.revision) || !isHexHash(head.hash)) {
        problems.push(`${label}: streamHeads[${i}] is not {stream, revision (decimal string), hash (hex)}`);
      }
    });
  }
  if (typeof value.signature !== 'string' || !SIGNATURE.test(value.signature)) {
    problems.push(`${label}: signature is not a base64 Ed25519 signature`);
  }
  return problems;
};

/**
 * The public key a checkpoint names, from a JWK Set. A JWK whose kid is not the SHA-256 of its own SPKI is a
 * mislabelled key, and is refused rather than trusted under that name.
 * @param {unknown} jwks @param {string} keyId @param {string} label
 * @returns {{ key?: crypto.KeyObject, problem?: string }}
 */
const keyFor = (jwks, keyId, label) => {
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) return { problem: `${label}: the key set is not a JWK Set ({ keys: [...] })` };
  /** @type {Jwk[]} */
  const candidates = jwks.keys.filter((jwk) => isRecord(jwk) && jwk.kid === keyId);
  if (candidates.length === 0) return { problem: `${label}: signed by key ${keyId}, which is not in the key set` };
  const jwk = candidates[0];
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    return { problem: `${label}: key ${keyId} in the key set is not an Ed25519 (OKP) public key` };
  }
  if ((jwk.alg !== undefined && jwk.alg !== 'EdDSA') || (jwk.use !== undefined && jwk.use !== 'sig')) {
    return { problem: `${label}: key ${keyId} in the key set is not an EdDSA signing key` };
  }
  /** @type {crypto.KeyObject} */
  let key;
  try {
    key = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  } catch (error) {
    return { problem: `${label}: key ${keyId} in the key set cannot be read (${/** @type {Error} */ (error).message})` };
  }
  const actualId = sha256(key.export({ type: 'spki', format: 'der' })).toString('hex');
  if (actualId !== keyId) {
    return { problem: `${label}: the key set labels a key ${keyId}, but that key's id (SHA-256 of its SPKI) is ${actualId}` };
  }
  return { key };
};

/**
 * Shape, key and signature problems of one checkpoint.
 * @param {unknown} cp @param {unknown} jwks @param {string} label @returns {string[]}
 */
const checkpointProblems = (cp, jwks, label) => {
  const shape = checkpointShapeProblems(cp, label);
  if (shape.length > 0) return shape;
  const checkpoint = /** @type {SignedCheckpoint} */ (cp);
  const { key, problem } = keyFor(jwks, checkpoint.keyId, label);
  if (!key) return [/** @type {string} */ (problem)];
  const { signature, ...body } = checkpoint;
  const text = canonicalize(body);
  let valid = false;
  try {
    valid = text !== undefined && crypto.verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? [] : [`${label}: signature is not valid for key ${checkpoint.keyId}`];
};

/** @param {SignedCheckpoint} cp */
const describeCheckpoint = (cp) =>
  `tree size ${cp.treeSize}, root ${cp.rootHash}, last position ${cp.lastPosition}, ${cp.timestamp}, key ${short(cp.keyId)}`;

/**
 * @param {unknown} cp a SignedCheckpoint
 * @param {unknown} jwks the JWK Set the auditor trusts
 * @returns {Result}
 */
const verifyCheckpoint = (cp, jwks) => {
  const result = collector();
  checkpointProblems(cp, jwks, 'checkpoint').forEach(result.add);
  if (result.problems.length === 0) result.note(`checkpoint signed: ${describeCheckpoint(/** @type {SignedCheckpoint} */ (cp))}`);
  return result.done();
};

// ---------------------------------------------------------------------------------------------------------------
// Events

/** @param {unknown} hashes @param {string} label @param {(problem: string) => void} add @returns {Buffer[] | undefined} */
const parseHashList = (hashes, label, add) => {
  if (!Array.isArray(hashes) || !hashes.every(isHexHash)) {
    add(`${label} is not an array of 64-digit lowercase hex hashes`);
    return undefined;
  }
  return hashes.map((hash) => Buffer.from(hash, 'hex'));
};

/**
 * Why `value` is not an event as the ledger exports it.
 * @param {unknown} value @param {string} label @returns {string[]}
 */
const eventShapeProblems = (value, label) => {
  if (!isRecord(value)) return [`${label}: not a JSON object`];
  /** @type {string[]} */
  const problems = [];
  if (typeof value.eventId !== 'string') problems.push(`${label}: eventId is not a string`);
  if (typeof value.streamName !== 'string' || value.streamName === '') problems.push(`${label}: streamName is not a non-empty string`);
  if (!isDecimal(value.revision)) problems.push(`${label}: revision is not a decimal string`);
  if (typeof value.type !== 'string') problems.push(`${label}: type is not a string`);
  if (!isRecord(value.metadata)) {
    problems.push(`${label}: metadata is not an object`);
  } else {
    if (!isHexHash(value.metadata.hash)) problems.push(`${label}: metadata.hash is not 64 lowercase hex digits`);
    if (value.metadata.prevHash !== null && !isHexHash(value.metadata.prevHash)) {
      problems.push(`${label}: metadata.prevHash is neither null nor 64 lowercase hex digits`);
    }
  }
  return problems;
};

/** @param {unknown} event @param {unknown} position */
const eventLabel = (event, position) => {
  const e = isRecord(event) ? event : {};
  const name = typeof e.streamName === 'string' ? e.streamName : '?';
  const revision = typeof e.revision === 'string' ? e.revision : '?';
  return `${name}@${revision} (position ${typeof position === 'string' ? position : '?'})`;
};

/**
 * The event hash recomputed from content, or a problem when it differs from metadata.hash.
 * @param {LedgerEvent} event @param {string} label @returns {{ hash?: string, problem?: string }}
 */
const recomputeHash = (event, label) => {
  let hash;
  try {
    hash = eventHashOf(event);
  } catch (error) {
    return { problem: `${label}: content cannot be hashed (${/** @type {Error} */ (error).message})` };
  }
  if (hash !== event.metadata.hash) {
    return { hash, problem: `${label}: content hashes to ${hash}, but metadata.hash says ${event.metadata.hash} (altered event)` };
  }
  return { hash };
};

// ---------------------------------------------------------------------------------------------------------------
// Bundles

/**
 * Is this event in the log the checkpoint signs? Checks the checkpoint's signature, that the event's content
 * matches its hash, and that the audit path leads from that leaf to the signed root.
 * @param {unknown} bundle @param {unknown} jwks @returns {Result}
 */
const verifyInclusionBundle = (bundle, jwks) => {
  const result = collector();
  if (!isRecord(bundle) || bundle.kind !== 'inclusion') {
    result.add('bundle: not an inclusion proof bundle (kind "inclusion")');
    return result.done();
  }
  // A bad signature does not stop the other checks: the report should say everything that is wrong.
  checkpointProblems(bundle.checkpoint, jwks, 'checkpoint').forEach(result.add);
  const label = eventLabel(bundle.event, bundle.position);
  /** @type {string[]} */
  const malformed = [...checkpointShapeProblems(bundle.checkpoint, 'checkpoint'), ...eventShapeProblems(bundle.event, `event ${label}`)];
  if (!isDecimal(bundle.position)) malformed.push(`event ${label}: position is not a decimal string`);
  if (!isSize(bundle.leafIndex)) malformed.push('bundle: leafIndex is not a non-negative integer');
  if (!isSize(bundle.treeSize)) malformed.push('bundle: treeSize is not a non-negative integer');
  const auditPath = parseHashList(bundle.auditPath, 'bundle: auditPath', (problem) => malformed.push(problem));
  malformed.filter((problem) => !result.problems.includes(problem)).forEach(result.add);
  if (malformed.length > 0 || !auditPath) return result.done();

  const event = /** @type {LedgerEvent} */ (bundle.event);
  const cp = /** @type {SignedCheckpoint} */ (bundle.checkpoint);
  const position = /** @type {string} */ (bundle.position);
  const leafIndex = /** @type {number} */ (bundle.leafIndex);
  const treeSize = /** @type {number} */ (bundle.treeSize);

  if (!isLedgerStream(event.streamName)) {
    result.add(`event ${label}: ${event.streamName} is not a ledger stream (incident-*, party-*), so it is no leaf of the tree`);
  }
  const { hash, problem } = recomputeHash(event, `event ${label}`);
  if (problem) result.add(problem);
  if (treeSize !== cp.treeSize) result.add(`bundle: treeSize ${treeSize} is not the checkpoint's tree size ${cp.treeSize}`);
  if (leafIndex >= cp.treeSize) result.add(`bundle: leaf index ${leafIndex} is outside the checkpoint's tree of size ${cp.treeSize}`);
  if (BigInt(position) > BigInt(cp.lastPosition)) {
    result.add(`event ${label}: position is after the checkpoint's last position ${cp.lastPosition}`);
  } else if (leafIndex === cp.treeSize - 1 && position !== cp.lastPosition) {
    result.add(`event ${label}: it is the last leaf, but the checkpoint's last position is ${cp.lastPosition}`);
  }
  if (hash && !verifyInclusionProof(leafHashOf(hash), leafIndex, cp.treeSize, auditPath, Buffer.from(cp.rootHash, 'hex'))) {
    result.add(`event ${label}: the audit path does not lead from leaf ${leafIndex} to the signed root ${cp.rootHash} of tree size ${cp.treeSize}`);
  }
  if (result.problems.length === 0) {
    result.note(`event ${label} (${event.type}, hash ${event.metadata.hash}) is leaf ${leafIndex}`);
    result.note(`in the checkpoint: ${describeCheckpoint(cp)}`);
  }
  return result.done();
};

/**
 * Is the second checkpoint's log an append-only extension of the first's?
 * @param {unknown} bundle @param {unknown} jwks @returns {Result}
 */
const verifyConsistencyBundle = (bundle, jwks) => {
  const result = collector();
  if (!isRecord(bundle) || bundle.kind !== 'consistency') {
    result.add('bundle: not a consistency proof bundle (kind "consistency")');
    return result.done();
  }
  checkpointProblems(bundle.first, jwks, 'first checkpoint').forEach(result.add);
  checkpointProblems(bundle.second, jwks, 'second checkpoint').forEach(result.add);
  const proof = parseHashList(bundle.proof, 'bundle: proof', result.add);
  const wellFormed =
    checkpointShapeProblems(bundle.first, 'first').length === 0 && checkpointShapeProblems(bundle.second, 'second').length === 0;
  if (!wellFormed || !proof) return result.done();
  consistencyProblems(/** @type {SignedCheckpoint} */ (bundle.first), /** @type {SignedCheckpoint} */ (bundle.second), proof, 'second checkpoint').forEach(
    result.add,
  );
  if (result.problems.length === 0) {
    const first = /** @type {SignedCheckpoint} */ (bundle.first);
    const second = /** @type {SignedCheckpoint} */ (bundle.second);
    result.note(`first:  ${describeCheckpoint(first)}`);
    result.note(`second: ${describeCheckpoint(second)}`);
    result.note(`the first ${first.treeSize} leaves are unchanged; ${second.treeSize - first.treeSize} appended`);
  }
  return result.done();
};

/**
 * Problems in claiming that `second` extends `first` (both already signature-checked).
 * @param {SignedCheckpoint} first @param {SignedCheckpoint} second @param {Buffer[]} proof @param {string} label
 */
const consistencyProblems = (first, second, proof, label) => {
  /** @type {string[]} */
  const problems = [];
  if (first.origin !== second.origin) problems.push(`${label}: origin ${second.origin} is not the first checkpoint's origin ${first.origin}`);
  if (first.treeSize > second.treeSize) {
    problems.push(`${label}: tree size ${second.treeSize} is smaller than the earlier ${first.treeSize} (the log lost leaves)`);
    return problems;
  }
  if (BigInt(first.lastPosition) > BigInt(second.lastPosition)) {
    problems.push(`${label}: last position ${second.lastPosition} is before the earlier ${first.lastPosition}`);
  } else if (first.treeSize === second.treeSize && first.lastPosition !== second.lastPosition) {
    problems.push(`${label}: same tree size ${first.treeSize} but a different last position (${first.lastPosition} vs ${second.lastPosition})`);
  }
  const valid = verifyConsistencyProof(
    first.treeSize,
    second.treeSize,
    Buffer.from(first.rootHash, 'hex'),
    Buffer.from(second.rootHash, 'hex'),
    proof,
  );
  if (!valid) {
    problems.push(
      `${label}: the consistency proof does not show tree ${second.treeSize} (root ${short(second.rootHash)}) extends tree ${first.treeSize} (root ${short(first.rootHash)})`,
    );
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------
// Export directory

/**
 * Lines of a file, read in chunks so an export larger than memory still streams. Splitting on the 0x0a byte is
 * safe in UTF-8, where it never occurs inside a multi-byte character.
 * @param {string} file @param {(line: string, lineNumber: number) => void} onLine
 */
const forEachLine = (file, onLine) => {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    /** @type {Buffer} */
    let pending = Buffer.alloc(0);
    let lineNumber = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      const data = Buffer.concat([pending, chunk.subarray(0, read)]);
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
        lineNumber += 1;
        onLine(data.subarray(start, nl).toString('utf8'), lineNumber);
        start = nl + 1;
      }
      pending = data.subarray(start);
    }
    if (pending.length > 0) onLine(pending.toString('utf8'), lineNumber + 1);
  } finally {
    fs.closeSync(fd);
  }
};

/** @param {string} file @returns {{ value?: unknown, error?: string }} */
const readJson = (file) => {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `${file} cannot be read (${/** @type {NodeJS.ErrnoException} */ (error).code ?? 'error'})` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `${file} is not JSON (${/** @type {Error} */ (error).message})` };
  }
};

/**
 * Everything an export claims: every event's hash, every stream's chain, and that the ledger streams' events
 * form the tree the latest checkpoint signs, consistently with every earlier checkpoint listed.
 * @param {string} dir @param {unknown} [jwks] trusted keys; without them the export's own keys are used
 * @returns {Result}
 */
const verifyExportDir = (dir, jwks) => {
  const result = collector();
  const checkpointFile = readJson(path.join(dir, 'checkpoint.json'));
  if (checkpointFile.error) {
    result.add(checkpointFile.error);
    return result.done();
  }
  const checkpointJson = checkpointFile.value;
  if (!isRecord(checkpointJson)) {
    result.add('checkpoint.json: not a JSON object');
    return result.done();
  }
  const keys = jwks === undefined ? checkpointJson.keys : jwks;
  if (jwks === undefined) {
    result.note('keys: taken from checkpoint.json itself; pass --keys with independently obtained keys to trust the signatures');
  }

  // Checkpoints with a bad signature are still compared with the log, so the report says everything that is wrong.
  checkpointProblems(checkpointJson.latest, keys, 'latest checkpoint').forEach(result.add);
  const latest =
    checkpointShapeProblems(checkpointJson.latest, 'latest').length === 0 ? /** @type {SignedCheckpoint} */ (checkpointJson.latest) : undefined;

  /** @type {{ first: SignedCheckpoint, proof: Buffer[], label: string }[]} */
  const earlier = [];
  if (checkpointJson.consistency !== undefined && !Array.isArray(checkpointJson.consistency)) {
    result.add('checkpoint.json: consistency is not an array');
  } else {
    /** @type {unknown[]} */ (checkpointJson.consistency ?? []).forEach((entry, i) => {
      const label = `consistency[${i}]`;
      if (!isRecord(entry)) {
        result.add(`${label}: not a JSON object`);
        return;
      }
      checkpointProblems(entry.first, keys, `${label} checkpoint`).forEach(result.add);
      const proof = parseHashList(entry.proof, `${label}: proof`, result.add);
      if (checkpointShapeProblems(entry.first, label).length === 0 && proof) {
        earlier.push({ first: /** @type {SignedCheckpoint} */ (entry.first), proof, label });
      }
    });
  }

  // Roots are snapshotted while streaming at every tree size a checkpoint claims.
  /** @type {Map<number, { root?: Buffer, position?: string }>} */
  const snapshots = new Map();
  if (latest) snapshots.set(latest.treeSize, {});
  for (const { first } of earlier) snapshots.set(first.treeSize, {});
  if (snapshots.has(0)) snapshots.set(0, { root: EMPTY_ROOT, position: '0' });

  const tree = new RootAccumulator();
  /** @type {Map<string, { next: bigint, lastHash: string | null, atCheckpoint?: { revision: string, hash: string } }>} */
  const streams = new Map();
  const lastCovered = latest ? BigInt(latest.lastPosition) : -1n;
  /** @type {bigint | undefined} */
  let previousPosition;
  let eventCount = 0;

  const eventsFile = path.join(dir, 'events.jsonl');
  /** @param {string} line @param {number} lineNumber */
  const onLine = (line, lineNumber) => {
    if (line.trim() === '') return;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      result.add(`events.jsonl line ${lineNumber}: not JSON`);
      return;
    }
    eventCount += 1;
    const position = isRecord(record) ? record.position : undefined;
    const label = eventLabel(record, position);
    const shape = eventShapeProblems(record, label);
    if (!isDecimal(position)) shape.push(`${label}: position is not a decimal string (line ${lineNumber})`);
    if (shape.length > 0) {
      shape.forEach(result.add);
      return;
    }
    const event = /** @type {LedgerEvent} */ (record);
    const at = BigInt(/** @type {string} */ (position));
    if (previousPosition !== undefined && at <= previousPosition) {
      result.add(`${label}: position is not after the previous event's ${previousPosition} (events out of global order)`);
    }
    previousPosition = at;

    const { problem } = recomputeHash(event, label);
    if (problem) result.add(problem);
    const storedHash = /** @type {string} */ (event.metadata.hash);

    const revision = BigInt(event.revision);
    const state = streams.get(event.streamName);
    const expectedRevision = state ? state.next : 0n;
    const expectedPrev = state ? state.lastHash : null;
    if (revision !== expectedRevision) {
      const why = revision > expectedRevision ? 'events are missing before it' : 'a revision repeats or is out of order';
      result.add(`${label}: revision ${revision} where ${expectedRevision} was expected (${why})`);
    }
    if (event.metadata.prevHash !== expectedPrev) {
      result.add(
        expectedPrev === null
          ? `${label}: first event of ${event.streamName} in the export, but prevHash is ${event.metadata.prevHash} instead of null`
          : `${label}: prevHash ${event.metadata.prevHash} is not the hash ${expectedPrev} of ${event.streamName}@${expectedRevision - 1n} (chain broken)`,
      );
    }
    const next = { next: revision + 1n, lastHash: storedHash, atCheckpoint: state?.atCheckpoint };
    if (at <= lastCovered) next.atCheckpoint = { revision: event.revision, hash: storedHash };
    streams.set(event.streamName, next);

    if (isLedgerStream(event.streamName)) {
      tree.push(leafHashOf(storedHash));
      const snapshot = snapshots.get(tree.size);
      if (snapshot) {
        snapshot.root = tree.root();
        snapshot.position = /** @type {string} */ (position);
      }
    }
  };
  try {
    forEachLine(eventsFile, onLine);
  } catch (error) {
    result.add(`${eventsFile} cannot be read (${/** @type {NodeJS.ErrnoException} */ (error).code ?? /** @type {Error} */ (error).message})`);
    return result.done();
  }

  if (latest) {
    const snapshot = snapshots.get(latest.treeSize);
    if (tree.size < latest.treeSize) {
      result.add(
        `latest checkpoint: it covers ${latest.treeSize} ledger events but the export has only ${tree.size} (events missing: truncated log)`,
      );
    } else if (snapshot?.root && !snapshot.root.equals(Buffer.from(latest.rootHash, 'hex'))) {
      result.add(
        `latest checkpoint: the first ${latest.treeSize} ledger events have root ${snapshot.root.toString('hex')}, the checkpoint signs ${latest.rootHash}`,
      );
    }
    if (snapshot?.position !== undefined && snapshot.position !== latest.lastPosition) {
      result.add(`latest checkpoint: leaf ${latest.treeSize - 1} is at position ${snapshot.position}, the checkpoint says ${latest.lastPosition}`);
    }
    for (const head of latest.streamHeads) {
      const at = streams.get(head.stream)?.atCheckpoint;
      if (!at) {
        result.add(`latest checkpoint: stream head ${head.stream}@${head.revision} has no event in the export up to position ${latest.lastPosition}`);
      } else if (at.revision !== head.revision || at.hash !== head.hash) {
        result.add(
          `latest checkpoint: stream head ${head.stream}@${head.revision} (hash ${short(head.hash)}) but the export's head at position ${latest.lastPosition} is ${head.stream}@${at.revision} (hash ${short(at.hash)})`,
        );
      }
    }
    for (const { first, proof, label } of earlier) {
      consistencyProblems(first, latest, proof, label).forEach(result.add);
      const snapshot = snapshots.get(first.treeSize);
      if (first.treeSize <= tree.size && snapshot?.root && !snapshot.root.equals(Buffer.from(first.rootHash, 'hex'))) {
        result.add(`${label}: the first ${first.treeSize} ledger events of the export have root ${snapshot.root.toString('hex')}, the checkpoint signs ${first.rootHash}`);
      }
      if (snapshot?.position !== undefined && snapshot.position !== first.lastPosition) {
        result.add(`${label}: leaf ${first.treeSize - 1} is at position ${snapshot.position}, the checkpoint says ${first.lastPosition}`);
      }
    }
  }

  result.note(`events: ${eventCount} in ${streams.size} streams, ${tree.size} of them ledger events (leaves)`);
  if (latest) {
    result.note(`latest checkpoint: ${describeCheckpoint(latest)}`);
    result.note(`earlier checkpoints checked for consistency: ${earlier.length}`);
  }
  return result.done();
};

// ---------------------------------------------------------------------------------------------------------------
// Command line

const USAGE = [
  'usage: ledger-verifier <inclusion|consistency|checkpoint> <bundle.json> --keys <jwks.json>',
  '       ledger-verifier export <dir> [--keys <jwks.json>]',
].join('\n');

/**
 * @param {string[]} argv arguments after the script name
 * @param {{ out: (text: string) => void, err: (text: string) => void }} [io]
 * @returns {number} exit code: 0 verified, 1 not verified, 2 usage or unreadable input
 */
const main = (argv, io = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }) => {
  /** @type {string[]} */
  const positional = [];
  /** @type {string | undefined} */
  let keysFile;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      io.out(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--keys') {
      if (i + 1 >= argv.length) {
        io.err(`--keys needs a file\n${USAGE}\n`);
        return 2;
      }
      keysFile = argv[(i += 1)];
    } else if (arg.startsWith('--keys=')) {
      keysFile = arg.slice('--keys='.length);
    } else if (arg.startsWith('-')) {
      io.err(`unknown option ${arg}\n${USAGE}\n`);
      return 2;
    } else {
      positional.push(arg);
    }
  }
  const [command, target] = positional;
  if (positional.length !== 2 || !['inclusion', 'consistency', 'checkpoint', 'export'].includes(command)) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  if (command !== 'export' && keysFile === undefined) {
    io.err(`${command} needs --keys <jwks.json>: the keys you trust, obtained independently of the bundle\n${USAGE}\n`);
    return 2;
  }

  /** @type {unknown} */
  let keys;
  if (keysFile !== undefined) {
    const loaded = readJson(keysFile);
    if (loaded.error) {
      io.err(`${loaded.error}\n`);
      return 2;
    }
    keys = loaded.value;
  }

  /** @type {Result} */
  let result;
  if (command === 'export') {
    if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) {
      io.err(`${target} is not a directory\n`);
      return 2;
    }
    result = verifyExportDir(target, keys);
  } else {
    const loaded = readJson(target);
    if (loaded.error) {
      io.err(`${loaded.error}\n`);
      return 2;
    }
    if (command === 'inclusion') result = verifyInclusionBundle(loaded.value, keys);
    else if (command === 'consistency') result = verifyConsistencyBundle(loaded.value, keys);
    else result = verifyCheckpoint(loaded.value, keys);
  }

  const lines = [`${command} ${target}: ${result.ok ? 'VERIFIED' : `FAILED (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})`}`];
  for (const problem of result.problems) lines.push(`  ✗ ${problem}`);
  for (const note of result.notes) lines.push(`  ${note}`);
  io.out(`${lines.join('\n')}\n`);
  return result.ok ? 0 : 1;
};

module.exports = {
  verifyCheckpoint,
  verifyInclusionBundle,
  verifyConsistencyBundle,
  verifyExportDir,
  eventHashOf,
  leafHashOf,
  isLedgerStream,
  verifyInclusionProof,
  verifyConsistencyProof,
  main,
};

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
