import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENT_BYTES, FileScratch, MemoryScratch } from '../scratch/scratch-space';
import {
  EMPTY_ROOT,
  MerkleLog,
  consistencyProof,
  eventLeafHash,
  inclusionProof,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle-tree';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const hexes = (values: readonly string[]): Buffer[] => values.map(hex);
const toHex = (values: readonly Buffer[]): string[] => values.map((value) => value.toString('hex'));

/*
 * Known answers from an independent implementation: github.com/transparency-dev/merkle (Go), commit
 * 417fb0c314750d94e53942e9f92e79b6d35915db, testonly/constants.go (LeafInputs, NodeHashes, RootHashes) and
 * cmd/proofgen/main.go (inclusionProofs, consistencyProofs; the same tables were in proof/verify_test.go before
 * they moved, e.g. at 022f84c). Their leaf indices are 1-based.
 */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];

const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

const ROOT_HASHES = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const INCLUSION_PROOFS: Array<{ leaf: number; size: number; proof: string[] }> = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY_PROOFS: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const testLeaves = (): Buffer[] => LEAF_INPUTS.map((input) => leafHash(hex(input)));

const flipBit = (value: Buffer, bit: number): Buffer => {
  const copy = Buffer.from(value);
  copy[Math.floor(bit / 8) % copy.length] ^= 1 << bit % 8;
  return copy;
};

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Deterministic so a failing size can be replayed. */
const prng = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** RFC 9162 §2.1 transcribed literally (recursion over slices): the reference the iterative code is held to. */
const referenceRoot = (leaves: Buffer[]): Buffer => {
  if (leaves.length === 0) return sha256('');
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
};
const referencePath = (m: number, leaves: Buffer[]): Buffer[] => {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
};
const referenceSubproof = (m: number, leaves: Buffer[], whole: boolean): Buffer[] => {
  if (m === leaves.length) return whole ? [] : [referenceRoot(leaves)];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m <= k
    ? [...referenceSubproof(m, leaves.slice(0, k), whole), referenceRoot(leaves.slice(k))]
    : [...referenceSubproof(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
};

describe('Merkle tree hashing (RFC 9162 §2.1)', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 domain separation', () => {
    expect(leafHash(new Uint8Array(0)).toString('hex')).toBe(NODE_HASHES[0][0]);
    expect(leafHash(hex('00')).toString('hex')).toBe(NODE_HASHES[0][1]);
    expect(nodeHash(hex(NODE_HASHES[0][0]), hex(NODE_HASHES[0][1])).toString('hex')).toBe(NODE_HASHES[1][0]);
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOT_HASHES[0]);
    expect(() => nodeHash(Buffer.alloc(31), Buffer.alloc(32))).toThrow(RangeError);
  });

  it('makes a ledger leaf from the raw bytes of an event hash', () => {
    const eventHashHex = NODE_HASHES[3][0];
    expect(eventLeafHash(eventHashHex).toString('hex')).toBe(
      createHash('sha256').update(Buffer.concat([Buffer.from([0]), hex(eventHashHex)])).digest('hex'),
    );
    expect(eventLeafHash(eventHashHex).equals(leafHash(Buffer.from(eventHashHex, 'utf8')))).toBe(false);
    expect(() => eventLeafHash(eventHashHex.toUpperCase())).toThrow(RangeError);
    expect(() => eventLeafHash('abcd')).toThrow(RangeError);
  });

  it('matches the reference leaf hashes and every complete subtree hash of the 8-leaf test tree', () => {
    const leaves = testLeaves();
    expect(toHex(leaves)).toEqual(NODE_HASHES[0]);
    const log = new MerkleLog(leaves);
    NODE_HASHES.forEach((row, level) =>
      row.forEach((expected, index) => {
        const width = 2 ** level;
        const covered = leaves.slice(index * width, (index + 1) * width);
        expect(merkleRoot(covered).toString('hex')).toBe(expected);
      }),
    );
    expect(log.leafHash(7).toString('hex')).toBe(NODE_HASHES[0][7]);
  });

  it.each(ROOT_HASHES.map((root, size) => [size, root]))('root of the first %i test leaves is %s', (size, root) => {
    const leaves = testLeaves();
    expect(merkleRoot(leaves, size as number).toString('hex')).toBe(root);
    expect(merkleRoot(leaves.slice(0, size as number)).toString('hex')).toBe(root);
    expect(new MerkleLog(leaves).root(size as number).toString('hex')).toBe(root);
  });

  describe.each(INCLUSION_PROOFS)('inclusion proof for leaf #$leaf in a tree of $size', ({ leaf, size, proof }) => {
    const index = leaf - 1;
    const leaves = testLeaves();
    const root = hex(ROOT_HASHES[size]);
    const path = hexes(proof);

    it('is generated exactly', () => {
      expect(toHex(inclusionProof(leaves, index, size))).toEqual(proof);
      expect(toHex(new MerkleLog(leaves).inclusionProof(index, size))).toEqual(proof);
    });

    it('verifies', () => {
      expect(verifyInclusion(leaves[index], index, size, path, root)).toBe(true);
    });

    // The mutations cmd/proofgen derives its failing probes from.
    it('fails for every corruption', () => {
      const corruptions: Array<[string, boolean]> = [
        ['index - 1', verifyInclusion(leaves[index], index - 1, size, path, root)],
        ['index + 1', verifyInclusion(leaves[index], index + 1, size, path, root)],
        ['index ^ 2', verifyInclusion(leaves[index], index ^ 2, size, path, root)],
        ['size * 2', verifyInclusion(leaves[index], index, size * 2, path, root)],
        ['size / 2', verifyInclusion(leaves[index], index, Math.floor(size / 2), path, root)],
        ['wrong leaf', verifyInclusion(leafHash(Buffer.from('WrongLeaf')), index, size, path, root)],
        ['empty root', verifyInclusion(leaves[index], index, size, path, EMPTY_ROOT)],
        ['random root', verifyInclusion(leaves[index], index, size, path, sha256('random root'))],
        ['trailing garbage', verifyInclusion(leaves[index], index, size, [...path, sha256('garbage')], root)],
        ['preceding garbage', verifyInclusion(leaves[index], index, size, [sha256('garbage'), ...path], root)],
        ['trailing root', verifyInclusion(leaves[index], index, size, [...path, root], root)],
        ['preceding root', verifyInclusion(leaves[index], index, size, [root, ...path], root)],
        ...path.map((_, i): [string, boolean] => [
          `bit flip in proof[${i}]`,
          verifyInclusion(leaves[index], index, size, path.map((p, j) => (j === i ? flipBit(p, 3) : p)), root),
        ]),
        ...(path.length > 0
          ? [['removed component', verifyInclusion(leaves[index], index, size, path.slice(1), root)] as [string, boolean]]
          : []),
      ];
      expect(corruptions.filter(([, accepted]) => accepted).map(([name]) => name)).toEqual([]);
    });
  });

  describe.each(CONSISTENCY_PROOFS)('consistency proof $size1 -> $size2', ({ size1, size2, proof }) => {
    const leaves = testLeaves();
    const root1 = hex(ROOT_HASHES[size1]);
    const root2 = hex(ROOT_HASHES[size2]);
    const path = hexes(proof);

    it('is generated exactly', () => {
      expect(toHex(consistencyProof(leaves, size1, size2))).toEqual(proof);
      expect(toHex(new MerkleLog(leaves).consistencyProof(size1, size2))).toEqual(proof);
    });

    it('verifies', () => {
      expect(verifyConsistency(size1, size2, root1, root2, path)).toBe(true);
    });

    it('fails for every corruption', () => {
      const corruptions: Array<[string, boolean]> = [
        ['size1 - 1', verifyConsistency(size1 - 1, size2, root1, root2, path)],
        ['size1 + 1', verifyConsistency(size1 + 1, size2, root1, root2, path)],
        ['size1 ^ 2', verifyConsistency(size1 ^ 2, size2, root1, root2, path)],
        ['size2 * 2', verifyConsistency(size1, size2 * 2, root1, root2, path)],
        ['size2 / 2', verifyConsistency(size1, Math.floor(size2 / 2), root1, root2, path)],
        ['wrong root1', verifyConsistency(size1, size2, sha256('wrong'), root2, path)],
        ['wrong root2', verifyConsistency(size1, size2, root1, sha256('wrong'), path)],
        ['trailing garbage', verifyConsistency(size1, size2, root1, root2, [...path, sha256('garbage')])],
        ['preceding garbage', verifyConsistency(size1, size2, root1, root2, [sha256('garbage'), ...path])],
        ['trailing root1', verifyConsistency(size1, size2, root1, root2, [...path, root1])],
        ['preceding root2', verifyConsistency(size1, size2, root1, root2, [root2, ...path])],
        ...path.map((_, i): [string, boolean] => [
          `bit flip in proof[${i}]`,
          verifyConsistency(size1, size2, root1, root2, path.map((p, j) => (j === i ? flipBit(p, 4) : p))),
        ]),
        ...(size1 !== size2
          ? ([
              ['swapped roots', verifyConsistency(size1, size2, root2, root1, path)],
              ['empty proof', verifyConsistency(size1, size2, root1, root2, [])],
              ['truncated proof', verifyConsistency(size1, size2, root1, root2, path.slice(0, -1))],
            ] as Array<[string, boolean]>)
          : []),
      ];
      expect(corruptions.filter(([, accepted]) => accepted).map(([name]) => name)).toEqual([]);
    });
  });

  // After testdata/consistency/additional in the same repository.
  it('rejects the degenerate consistency cases', () => {
    const a = sha256('a');
    const b = sha256('b');
    expect(verifyConsistency(2, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 0, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 1, a, a, [])).toBe(true);
    expect(verifyConsistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(1, 2, a, b, [])).toBe(false);
    expect(verifyConsistency(0, 0, a, a, [])).toBe(false);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(0, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(0, 1, EMPTY_ROOT, b, [EMPTY_ROOT])).toBe(false);
  });

  it('treats the empty tree as a prefix of every tree (the Go library rejects size1 = 0 outright)', () => {
    const leaves = testLeaves();
    expect(consistencyProof(leaves, 0, 5)).toEqual([]);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, hex(ROOT_HASHES[5]), [])).toBe(true);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
  });

  it('never throws on malformed verification input', () => {
    const leaves = testLeaves();
    const root = hex(ROOT_HASHES[8]);
    const path = inclusionProof(leaves, 2, 8);
    expect(verifyInclusion(leaves[2], 2, 8, [...path.slice(0, 2), Buffer.alloc(31)], root)).toBe(false);
    expect(verifyInclusion(leaves[2], -1, 8, path, root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2.5, 8, path, root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2, Number.NaN, path, root)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 2, 8, path, root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2, 8, null as unknown as Buffer[], root)).toBe(false);
    expect(verifyConsistency(3, 8, hex(ROOT_HASHES[3]), root, [Buffer.alloc(64)])).toBe(false);
    expect(verifyConsistency(3, Infinity, hex(ROOT_HASHES[3]), root, [])).toBe(false);
  });

  it('throws RangeError for proofs and roots that cannot exist', () => {
    const leaves = testLeaves();
    const log = new MerkleLog(leaves);
    expect(() => merkleRoot(leaves, 9)).toThrow(RangeError);
    expect(() => merkleRoot(leaves, -1)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 5, 5)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 0)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 1.5, 4)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 6, 5)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 2, 9)).toThrow(RangeError);
    expect(() => merkleRoot([Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => log.root(9)).toThrow(RangeError);
    expect(() => log.inclusionProof(8)).toThrow(RangeError);
    expect(() => log.consistencyProof(9)).toThrow(RangeError);
    expect(() => log.leafHash(8)).toThrow(RangeError);
    expect(() => log.append(Buffer.alloc(33))).toThrow(RangeError);
  });

  it('keeps answering for earlier sizes as the log grows', () => {
    const log = new MerkleLog();
    expect(log.size).toBe(0);
    expect(log.root().toString('hex')).toBe(ROOT_HASHES[0]);
    testLeaves().forEach((leaf, i) => {
      expect(log.append(leaf)).toBe(i);
      expect(log.root().toString('hex')).toBe(ROOT_HASHES[i + 1]);
    });
    expect(log.size).toBe(8);
    expect(toHex(log.consistencyProof(6, 7))).toEqual(CONSISTENCY_PROOFS[4].proof);
    expect(toHex(log.inclusionProof(1, 5))).toEqual(INCLUSION_PROOFS[4].proof);
  });
});

describe('Merkle tree properties over random logs', () => {
  const random = prng(0x1ed6e7);
  const randomLeaves = (count: number): Buffer[] =>
    Array.from({ length: count }, () => leafHash(Buffer.from(Array.from({ length: 8 }, () => Math.floor(random() * 256)))));
  const sizes = [...Array.from({ length: 40 }, (_, i) => i + 1), 63, 64, 65, 127, 128, 129, 255, 256, 257, 300];
  sizes.push(...Array.from({ length: 10 }, () => 41 + Math.floor(random() * 260)));

  it.each(sizes)('size %i: roots and proofs match the literal RFC recursion, and every proof verifies', (n) => {
    const leaves = randomLeaves(n);
    const log = new MerkleLog(leaves);
    const roots = Array.from({ length: n + 1 }, (_, size) => log.root(size));
    expect(merkleRoot(leaves).equals(referenceRoot(leaves))).toBe(true);
    expect(log.root().equals(referenceRoot(leaves))).toBe(true);

    const checkedSizes = new Set([n, ...Array.from({ length: n }, (_, i) => i + 1).filter((s) => s <= 16 || s % 23 === 0)]);
    for (const size of checkedSizes) {
      expect(roots[size].equals(referenceRoot(leaves.slice(0, size)))).toBe(true);
      expect(merkleRoot(leaves, size).equals(roots[size])).toBe(true);
      for (let index = 0; index < size; index += 1) {
        const proof = log.inclusionProof(index, size);
        if (n <= 64) expect(toHex(proof)).toEqual(toHex(referencePath(index, leaves.slice(0, size))));
        expect(verifyInclusion(leaves[index], index, size, proof, roots[size])).toBe(true);
      }
    }
    // The array functions recompute subtrees from the leaves on every call, so only a sample of them at large sizes.
    const sampled = (i: number): boolean => n <= 64 || i % 17 === 0 || i === n - 1;
    for (let index = 0; index < n; index += 1) {
      if (sampled(index)) expect(toHex(inclusionProof(leaves, index, n))).toEqual(toHex(log.inclusionProof(index)));
    }
    for (let m = 0; m <= n; m += 1) {
      const proof = log.consistencyProof(m, n);
      if (m > 0 && n <= 64) expect(toHex(proof)).toEqual(toHex(referenceSubproof(m, leaves, true)));
      if (sampled(m)) expect(toHex(consistencyProof(leaves, m, n))).toEqual(toHex(proof));
      expect(verifyConsistency(m, n, roots[m], roots[n], proof)).toBe(true);
      if (m > 0 && m < n) {
        const middle = m + Math.floor(random() * (n - m + 1));
        expect(verifyConsistency(m, middle, roots[m], roots[middle], log.consistencyProof(m, middle))).toBe(true);
      }
    }
  });

  it.each(sizes.filter((n) => n >= 2))('size %i: tampered proofs, roots and indices fail', (n) => {
    const leaves = randomLeaves(n);
    const log = new MerkleLog(leaves);
    const root = log.root();
    for (let trial = 0; trial < 25; trial += 1) {
      const index = Math.floor(random() * n);
      const proof = log.inclusionProof(index);
      const other = (index + 1 + Math.floor(random() * (n - 1))) % n;
      expect(verifyInclusion(leaves[index], index, n, proof, root)).toBe(true);
      expect(verifyInclusion(leaves[other], index, n, proof, root)).toBe(false);
      expect(verifyInclusion(leaves[index], other, n, proof, root)).toBe(false);
      expect(verifyInclusion(leaves[index], index, n, proof, flipBit(root, trial))).toBe(false);
      if (proof.length > 0) {
        const at = Math.floor(random() * proof.length);
        const tampered = proof.map((p, j) => (j === at ? flipBit(p, trial) : p));
        expect(verifyInclusion(leaves[index], index, n, tampered, root)).toBe(false);
        expect(verifyInclusion(leaves[index], index, n, proof.slice(0, -1), root)).toBe(false);
      }
      expect(verifyInclusion(leaves[index], index, n, [...proof, root], root)).toBe(false);

      const m = 1 + Math.floor(random() * (n - 1));
      const consistency = log.consistencyProof(m);
      const firstRoot = log.root(m);
      expect(verifyConsistency(m, n, firstRoot, root, consistency)).toBe(true);
      expect(verifyConsistency(m, n, flipBit(firstRoot, trial), root, consistency)).toBe(false);
      expect(verifyConsistency(m, n, firstRoot, flipBit(root, trial), consistency)).toBe(false);
      const at = Math.floor(random() * consistency.length);
      expect(verifyConsistency(m, n, firstRoot, root, consistency.map((p, j) => (j === at ? flipBit(p, trial) : p)))).toBe(false);
      expect(verifyConsistency(m, n, firstRoot, root, consistency.slice(1))).toBe(false);
      // A different old tree (one leaf changed) must not be provably a prefix of this one.
      const forked = new MerkleLog(leaves.map((leaf, i) => (i === m - 1 ? flipBit(leaf, 0) : leaf)));
      expect(verifyConsistency(m, n, forked.root(m), root, consistency)).toBe(false);
    }
  });
});

const E = EXTENT_BYTES / 32;

describe.each([
  ['in memory', () => ({ scratch: new MemoryScratch(), done: (): void => undefined })],
  [
    'on a file',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'merkle-'));
      const scratch = new FileScratch(directory);
      return {
        scratch,
        done: (): void => {
          scratch.close();
          rmSync(directory, { recursive: true });
        },
      };
    },
  ],
])(`MerkleLog %s, across the extents its levels are stored in (${E} hashes an extent)`, (_, open) => {
  const random = prng(0x4096);
  const leaves = Array.from({ length: 6 * E + 5 }, (_, i) => leafHash(Buffer.from(`leaf ${i} ${random()}`)));
  const { scratch, done } = open();
  const log = new MerkleLog(leaves, scratch);
  afterAll(done);

  it.each([E - 1, E, E + 1, 2 * E - 1, 2 * E, 2 * E + 1, 4 * E - 1, 4 * E, 4 * E + 1, 6 * E + 5])(
    'size %i: roots and proofs equal those computed from the leaf array',
    (n) => {
      expect(log.root(n).equals(merkleRoot(leaves, n))).toBe(true);
      for (const index of [0, 1, E - 2, E - 1, E, E + 1, 2 * E - 1, 2 * E, 4 * E, n - 2, n - 1].filter((i) => i >= 0 && i < n)) {
        expect(toHex(log.inclusionProof(index, n))).toEqual(toHex(inclusionProof(leaves, index, n)));
        expect(log.leafHash(index).equals(leaves[index])).toBe(true);
      }
      for (const m of [1, E - 1, E, E + 1, 2 * E, 4 * E, n - 1].filter((m) => m >= 0 && m <= n)) {
        expect(toHex(log.consistencyProof(m, n))).toEqual(toHex(consistencyProof(leaves, m, n)));
      }
    },
  );

  it('hands out copies: writing into a returned hash changes nothing stored', () => {
    const before = log.root();
    log.leafHash(E).fill(0);
    log.leafHash(6 * E + 4).fill(0);
    log.inclusionProof(E).forEach((hash) => hash.fill(0));
    log.consistencyProof(E + 1).forEach((hash) => hash.fill(0));
    log.root(2 * E).fill(0);
    expect(log.root().equals(before)).toBe(true);
    expect(log.leafHash(E).equals(leaves[E])).toBe(true);
    expect(log.leafHash(6 * E + 4).equals(leaves[6 * E + 4])).toBe(true);
  });
});

describe('MerkleLog taken up from a snapshot on a kept file', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'merkle-kept-'))));
  afterEach(() => rmSync(directory, { recursive: true }));

  it.each([0, 1, 2, 3, E - 1, 2 * E + 3, 4 * E])('at %i leaves: the same roots and proofs as the tree it was taken from, and it grows alike', async (size) => {
    const random = prng(size + 1);
    const leaves = Array.from({ length: size + 2 * E + 7 }, (_, i) => leafHash(Buffer.from(`leaf ${i} ${random()}`)));
    const path = join(directory, 'tree');
    const scratch = FileScratch.kept(path);
    const log = new MerkleLog(leaves.slice(0, size), scratch);
    const captured = scratch.capture();
    const snapshot = JSON.parse(JSON.stringify(log.snapshot())) as ReturnType<MerkleLog['snapshot']>;
    await scratch.sync();
    captured.stored();
    // The first tree goes on and the file with it; the taken-up tree must read only what the snapshot refers to.
    for (const leaf of leaves.slice(size)) log.append(leaf);
    scratch.close();

    const again = FileScratch.kept(path, captured.state);
    const restored = MerkleLog.restore(again, snapshot);
    expect(restored.size).toBe(size);
    if (size > 0) {
      expect(restored.root().equals(merkleRoot(leaves, size))).toBe(true);
      expect(toHex(restored.inclusionProof(size - 1))).toEqual(toHex(inclusionProof(leaves, size - 1, size)));
    }
    for (const leaf of leaves.slice(size)) restored.append(leaf);
    const n = leaves.length;
    expect(restored.root().equals(merkleRoot(leaves, n))).toBe(true);
    for (const index of [0, size, n - 1]) expect(toHex(restored.inclusionProof(index))).toEqual(toHex(inclusionProof(leaves, index, n)));
    expect(toHex(restored.consistencyProof(Math.max(size, 1)))).toEqual(toHex(consistencyProof(leaves, Math.max(size, 1), n)));
    again.close();
  });

  it('refuses a snapshot whose levels do not make one tree', () => {
    const scratch = new MemoryScratch();
    const log = new MerkleLog(Array.from({ length: 9 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`))), scratch);
    const { levels } = log.snapshot();
    expect(() => MerkleLog.restore(scratch, { levels })).not.toThrow();
    expect(() => MerkleLog.restore(scratch, { levels: levels.slice(0, -1) })).toThrow(RangeError);
    expect(() => MerkleLog.restore(scratch, { levels: [...levels, levels.at(-1)!] })).toThrow(RangeError);
    expect(() => MerkleLog.restore(scratch, { levels: [levels[0], levels[0], ...levels.slice(2)] })).toThrow(RangeError);
    expect(() => MerkleLog.restore(scratch, { levels: [] })).toThrow(RangeError);
  });
});

describe('Merkle tree performance', () => {
  it('computes the root of 100,000 leaves well under a second', () => {
    const leaves = Array.from({ length: 100_000 }, (_, i) => createHash('sha256').update(String(i)).digest());
    const started = performance.now();
    const root = merkleRoot(leaves);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(new MerkleLog(leaves).root().equals(root)).toBe(true);
    const log = new MerkleLog(leaves);
    const proof = log.inclusionProof(77_777);
    expect(proof).toHaveLength(17);
    expect(verifyInclusion(leaves[77_777], 77_777, 100_000, proof, root)).toBe(true);
  });
});
