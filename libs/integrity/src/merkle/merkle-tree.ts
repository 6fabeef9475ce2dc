import * as crypto from 'node:crypto';
import { MemoryScratch, RecordColumn, RecordColumnState, ScratchSpace } from '../scratch/scratch-space';

/**
 * RFC 9162 §2.1 Merkle tree over SHA-256: leaf hash = H(0x00 || data), node hash = H(0x01 || left || right),
 * the root of n leaves splits at the largest power of two below n. Sizes and indices are JS numbers (safe
 * integers) and are never combined with bitwise operators, which would truncate them to 32 bits.
 */

export const HASH_SIZE = 32;

// crypto.hash (one call, no Hash object) is about twice as fast for 65-byte inputs; it is missing before Node 20.12.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
const sha256 = (data: Uint8Array): Buffer =>
  oneShot ? oneShot('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest();

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

export const leafHash = (leafData: Uint8Array): Buffer => {
  const input = Buffer.allocUnsafe(1 + leafData.length);
  input[0] = 0x00;
  input.set(leafData, 1);
  return sha256(input);
};

/** The ledger's leaf: its data is the 32 raw bytes of the event hash, not the 64 characters of its hex. */
export const eventLeafHash = (eventHashHex: string): Buffer => {
  if (!/^[0-9a-f]{64}$/.test(eventHashHex)) throw new RangeError(`Event hash ${eventHashHex} is not 64 lowercase hex digits`);
  return leafHash(Buffer.from(eventHashHex, 'hex'));
};

// Reused across calls: hashing is synchronous, and allocating 65 bytes per node dominated the cost of big roots.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`Node children must be ${HASH_SIZE}-byte hashes`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
};

const isSize = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** The largest power of two strictly below n, for n >= 2. */
const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** Where the hashes of complete (power-of-two, aligned) subtrees come from: computed on demand or cached. */
interface SubtreeSource {
  /** Hash of the complete subtree over leaves [index·2^level, (index+1)·2^level). */
  complete(level: number, index: number): Buffer;
}

/**
 * MTH of the `count` leaves starting at `start`, where `start` is a multiple of the smallest power of two >= count
 * (true of every node in the tree). Such a range splits into complete subtrees, one per set bit of `count` from
 * the highest, and MTH folds them right to left.
 */
const rangeHash = (source: SubtreeSource, start: number, count: number): Buffer => {
  if (count === 0) return EMPTY_ROOT;
  const pieces: Buffer[] = [];
  let offset = start;
  let width = 1;
  let level = 0;
  while (width * 2 <= count) {
    width *= 2;
    level += 1;
  }
  for (let remaining = count; remaining > 0; width /= 2, level -= 1) {
    if (remaining >= width) {
      pieces.push(source.complete(level, offset / width));
      offset += width;
      remaining -= width;
    }
  }
  let hash = pieces[pieces.length - 1];
  for (let i = pieces.length - 2; i >= 0; i -= 1) hash = nodeHash(pieces[i], hash);
  return hash;
};

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), walked top-down and returned leaf-side first. */
const pathOf = (source: SubtreeSource, index: number, size: number): Buffer[] => {
  const path: Buffer[] = [];
  let start = 0;
  let m = index;
  let n = size;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      path.push(rangeHash(source, start + k, n - k));
      n = k;
    } else {
      path.push(rangeHash(source, start, k));
      start += k;
      m -= k;
      n -= k;
    }
  }
  return path.reverse();
};

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), walked top-down. */
const proofOf = (source: SubtreeSource, m: number, n: number): Buffer[] => {
  if (m === 0 || m === n) return [];
  const tail: Buffer[] = [];
  let start = 0;
  let first = m;
  let second = n;
  let wholeOldTree = true;
  while (first < second) {
    const k = splitPoint(second);
    if (first <= k) {
      tail.push(rangeHash(source, start + k, second - k));
      second = k;
    } else {
      tail.push(rangeHash(source, start, k));
      start += k;
      first -= k;
      second -= k;
      wholeOldTree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's root is only implied when the walk never turned right.
  const proof = wholeOldTree ? [] : [rangeHash(source, start, first)];
  for (let i = tail.length - 1; i >= 0; i -= 1) proof.push(tail[i]);
  return proof;
};

/** Complete subtrees folded from the leaf hashes with a stack: O(2^level) hashes, O(level) memory. */
const arraySource = (leafHashes: readonly Buffer[]): SubtreeSource => ({
  complete(level, index) {
    const width = 2 ** level;
    const begin = index * width;
    const stack: Buffer[] = [];
    for (let i = 0; i < width; i += 1) {
      stack.push(leafHashes[begin + i]);
      for (let merged = i + 1; merged % 2 === 0; merged /= 2) {
        const right = stack.pop() as Buffer;
        const left = stack.pop() as Buffer;
        stack.push(nodeHash(left, right));
      }
    }
    return stack[0];
  },
});

const checkLeafHashes = (leafHashes: readonly Buffer[], size: number): void => {
  for (let i = 0; i < size; i += 1) {
    const hash = leafHashes[i];
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new RangeError(`Leaf hash ${i} is not a ${HASH_SIZE}-byte hash`);
    }
  }
};

const checkSize = (size: number, available: number): void => {
  if (!isSize(size) || size > available) {
    throw new RangeError(`Tree size ${size} is not within 0..${available}`);
  }
};

export const merkleRoot = (leafHashes: readonly Buffer[], size: number = leafHashes.length): Buffer => {
  checkSize(size, leafHashes.length);
  checkLeafHashes(leafHashes, size);
  return rangeHash(arraySource(leafHashes), 0, size);
};

export const inclusionProof = (leafHashes: readonly Buffer[], index: number, size: number): Buffer[] => {
  checkSize(size, leafHashes.length);
  if (!isSize(index) || index >= size) throw new RangeError(`Leaf index ${index} is not below tree size ${size}`);
  checkLeafHashes(leafHashes, size);
  return pathOf(arraySource(leafHashes), index, size);
};

/**
 * Proof that the tree of the first m leaves is a prefix of the tree of the first n. Empty for m = n and for m = 0
 * (the empty tree is a prefix of every tree; RFC 9162 leaves PROOF(0, ·) undefined).
 */
export const consistencyProof = (leafHashes: readonly Buffer[], m: number, n: number): Buffer[] => {
  checkSize(n, leafHashes.length);
  if (!isSize(m) || m > n) throw new RangeError(`Old tree size ${m} is not within 0..${n}`);
  checkLeafHashes(leafHashes, n);
  return proofOf(arraySource(leafHashes), m, n);
};

const isHash = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.length === HASH_SIZE;

const sameHash = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

const isOdd = (value: number): boolean => value % 2 === 1;
const half = (value: number): number => Math.floor(value / 2);
const isPowerOfTwo = (value: number): boolean => {
  let k = 1;
  while (k < value) k *= 2;
  return k === value;
};

/** RFC 9162 §2.1.3.2. Untrusted input: anything malformed is a failed verification, never an exception. */
export const verifyInclusion = (
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
};

/**
 * RFC 9162 §2.1.4.2, plus the two cases the RFC's algorithm does not cover: m = n (proof must be empty and the
 * roots equal) and m = 0 (proof must be empty and the first root the empty-tree hash; any second tree extends it).
 */
export const verifyConsistency = (
  m: number,
  n: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean => {
  if (!isSize(m) || !isSize(n) || m > n) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (m === 0) return proof.length === 0 && sameHash(firstRoot, EMPTY_ROOT) && (n > 0 || sameHash(secondRoot, EMPTY_ROOT));
  if (m === n) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  if (proof.length === 0) return false;

  let path: readonly Uint8Array[] = proof;
  if (isPowerOfTwo(m)) path = [firstRoot, ...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (let i = 1; i < path.length; i += 1) {
    const c = path[i];
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
};

/**
 * An append-only tree that keeps every complete subtree hash (about 2n hashes, 64 bytes a leaf), so roots and proofs
 * for any earlier size cost O(log² n) hashes instead of re-reading all leaves. Each level is a column of packed
 * hashes (no object per hash: a Buffer per hash took about 250 bytes of heap beside its 32, and every garbage
 * collection traced them), in memory unless a scratch space on a file is given, where only each level's last extent
 * stays in memory. What it hands out are copies.
 */
export class MerkleLog {
  /** levels[h].read(i): hash of the complete subtree over leaves [i·2^h, (i+1)·2^h). levels[0] holds the leaf hashes. */
  private readonly levels: RecordColumn[];
  private readonly source: SubtreeSource = { complete: (level, index) => this.levels[level].read(index) };
  /** The two children of a node being appended, read into buffers kept for it. */
  private readonly left = Buffer.alloc(HASH_SIZE);
  private readonly right = Buffer.alloc(HASH_SIZE);

  constructor(
    leafHashes: Iterable<Buffer> = [],
    private readonly scratch: ScratchSpace = new MemoryScratch(),
  ) {
    this.levels = [new RecordColumn(scratch, HASH_SIZE)];
    for (const hash of leafHashes) this.append(hash);
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** Appends a leaf hash (not leaf data) and returns its index. */
  append(hash: Buffer): number {
    if (!isHash(hash)) throw new RangeError(`Leaf hash must be ${HASH_SIZE} bytes`);
    const index = this.levels[0].push(hash);
    for (let level = 0, count = index + 1; count % 2 === 0; level += 1, count /= 2) {
      const row = this.levels[level];
      if (this.levels.length === level + 1) this.levels.push(new RecordColumn(this.scratch, HASH_SIZE));
      this.levels[level + 1].push(nodeHash(row.read(row.length - 2, this.left), row.read(row.length - 1, this.right)));
    }
    return index;
  }

  /** What `MerkleLog.restore` needs to take the tree up again over the same scratch space. */
  snapshot(): { levels: RecordColumnState[] } {
    return { levels: this.levels.map((level) => level.snapshot()) };
  }

  /** The tree a snapshot describes; throws a RangeError when the snapshot does not describe one. */
  static restore(scratch: ScratchSpace, state: { levels: RecordColumnState[] }): MerkleLog {
    const tree = new MerkleLog([], scratch);
    const levels = state.levels.map((level) => RecordColumn.restore(scratch, level));
    levels.forEach((level, h) => {
      // Each level holds a node for every complete pair below it, and one level more than the tree needs is never made.
      const expected = h === 0 ? level.length : Math.floor(levels[h - 1].length / 2);
      if (level.width !== HASH_SIZE || level.length !== expected || (h > 0 && level.length === 0)) throw new RangeError(`A tree snapshot's level ${h} holds ${level.length} hashes`);
    });
    if (levels.length === 0 || levels.at(-1)!.length > 1) throw new RangeError('A tree snapshot lacks its upper levels');
    // The newest node of each level is its children's hash: what a snapshot taken while its file was cut short, or one
    // of another tree's files, most likely breaks. Older nodes are checked by the roots of the checkpoints signed.
    for (let h = 1; h < levels.length; h++) {
      const last = levels[h].length - 1;
      if (!levels[h].read(last).equals(nodeHash(levels[h - 1].read(2 * last), levels[h - 1].read(2 * last + 1)))) {
        throw new RangeError(`A tree snapshot's newest node at level ${h} is not the hash of its children`);
      }
    }
    tree.levels.splice(0, tree.levels.length, ...levels);
    return tree;
  }

  leafHash(index: number): Buffer {
    if (!isSize(index) || index >= this.size) throw new RangeError(`Leaf index ${index} is not below ${this.size}`);
    return this.levels[0].read(index);
  }

  root(size: number = this.size): Buffer {
    checkSize(size, this.size);
    return Buffer.from(rangeHash(this.source, 0, size));
  }

  inclusionProof(index: number, size: number = this.size): Buffer[] {
    checkSize(size, this.size);
    if (!isSize(index) || index >= size) throw new RangeError(`Leaf index ${index} is not below tree size ${size}`);
    return pathOf(this.source, index, size).map((hash) => Buffer.from(hash));
  }

  consistencyProof(m: number, n: number = this.size): Buffer[] {
    checkSize(n, this.size);
    if (!isSize(m) || m > n) throw new RangeError(`Old tree size ${m} is not within 0..${n}`);
    return proofOf(this.source, m, n).map((hash) => Buffer.from(hash));
  }
}
