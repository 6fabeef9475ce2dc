import { v5 as uuidv5 } from 'uuid';
import { nameBasedUuid } from './uuid-v5';

const NAMESPACE = '2f0c6f3e-8f7b-4b8e-9d55-4b6b1c7a9e21';

/** A small deterministic generator (mulberry32), so that a failure names an input that can be run again. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const ALPHABETS = [
  [0x21, 0x7e], // visible ASCII, as keys are
  [0x00, 0x7f],
  [0x80, 0x7ff], // two UTF-8 bytes
  [0x800, 0xd7ff], // three
  [0xe000, 0xffff],
  [0x10000, 0x10ffff], // four: surrogate pairs in JavaScript
] as const;

const names = (count: number, seed: number): string[] => {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() ** 3 * 600);
    let name = '';
    for (let i = 0; i < length; i++) {
      const [low, high] = ALPHABETS[Math.floor(next() * ALPHABETS.length)];
      name += String.fromCodePoint(low + Math.floor(next() * (high - low + 1)));
    }
    return name;
  });
};

describe('nameBasedUuid', () => {
  const fast = nameBasedUuid(NAMESPACE);

  it('gives the id uuid v5 gives, for 5,000 names of every UTF-8 length, and the ids the ledger derives', () => {
    const samples = [...names(5000, 20261204), '', 'test-recorder\nimport:incident-x:key-1\nevent:0', 'ä'.repeat(1000)];
    for (const name of samples) expect({ name, id: fast(name) }).toEqual({ name, id: uuidv5(name, NAMESPACE) });
  });

  it('for another namespace too', () => {
    const other = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    for (const name of names(200, 7)) expect(nameBasedUuid(other)(name)).toBe(uuidv5(name, other));
  });

  it('refuses a name with a lone surrogate as uuid does', () => {
    expect(() => uuidv5('a\ud800b', NAMESPACE)).toThrow(URIError);
    expect(() => fast('a\ud800b')).toThrow(URIError);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedUuid('not-a-uuid')).toThrow(TypeError);
  });
});
