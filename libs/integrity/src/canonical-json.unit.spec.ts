import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/*
 * Hashes already stored were computed with the `canonicalize` package, and the standalone verifier still uses it:
 * the faster encoder must give the same bytes for any JSON data, not just for the events the tests happen to write.
 */

/** Any UTF-16 code unit, so lone surrogates, controls and characters that JSON must escape all come up. */
const codeUnitString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) });
/** Whole code points, astral ones (surrogate pairs) included. */
const codePointString = fc.string({ unit: 'binary' });
/**
 * Keys whose order differs between UTF-16 code units (RFC 8785) and code points: U+1F600 is D83D DE00, below U+E000
 * and U+FFFF as code units but above them as code points. A small pool so that one object often holds several.
 */
const trickyKey = fc.constantFrom('', 'a', 'B', 'é', '€', '\u{1F600}', '\u{10000}', '\ue000', '\uffff', '\u0000', '"', '\\', '\ud800', '1', '10', '2');
const key = fc.oneof(trickyKey, codeUnitString, codePointString);

const edgeNumber = fc.constantFrom(
  0, -0, 1e21, 1e20, 999999999999999900000, 5e-7, 1e-7, 0.000001, -1e-7, 0.1 + 0.2, 1 / 3,
  Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, 333333333.3333333,
);
const number = fc.oneof(edgeNumber, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    codeUnitString,
    codePointString,
    fc.array(tie('json')),
    // undefined members are left out by both, as by JSON.stringify (sealEvents relies on it).
    fc.dictionary(key, fc.oneof({ weight: 9, arbitrary: tie('json') }, { weight: 1, arbitrary: fc.constant(undefined) })),
  ),
}));

describe('canonicalJson', () => {
  it('gives the bytes of canonicalize (RFC 8785) for random JSON data', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { seed: 20261204, numRuns: 2000 },
    );
  });

  it('orders keys by UTF-16 code units, not by code points', () => {
    const value = { '\uffff': 1, '\u{1F600}': 2, '\ue000': 3, a: 4 };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe('{"a":4,"\u{1F600}":2,"\ue000":3,"\uffff":1}');
  });

  it('formats numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e20, -0, 5e-7, 0.000001, 1e-7])).toBe('[1e+21,100000000000000000000,0,5e-7,0.000001,1e-7]');
  });

  it('refuses what JSON cannot carry instead of encoding it', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ n: NaN }, [Infinity], { big: 1n }, cyclic]) expect(() => canonicalJson(bad)).toThrow();
  });
});
