import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { HASH_KEY, PREV_HASH_KEY, canonicalDataText, eventHash, sealEvents } from './event-hash';

/** The hash as RFC 8785 defines it, computed with the reference encoder from plain spread copies. */
const referenceHash = (streamName: string, revision: bigint, event: { eventId: string; type: string; data: unknown; metadata: Record<string, unknown> }): string => {
  const { [HASH_KEY]: _own, ...metadata } = event.metadata;
  const text = canonicalize({ eventId: event.eventId, streamName, revision: revision.toString(), type: event.type, data: event.data ?? null, metadata })!;
  return createHash('sha256').update(text, 'utf8').digest('hex');
};

describe('sealEvents', () => {
  it('chains each event to the one before it, with hashes the reference encoder agrees with', () => {
    const events = [1, 2, 3].map((n) => ({ eventId: `e${n}`, type: 'ClaimMade.v1', data: { n, text: `claim ${n}` }, metadata: { recordedBy: 'analyst', n } as Record<string, unknown> }));

    const sealed = sealEvents('incident-a', 4n, 'f'.repeat(64), events);

    expect(sealed.map((event) => event.metadata[PREV_HASH_KEY])).toEqual(['f'.repeat(64), sealed[0].metadata[HASH_KEY], sealed[1].metadata[HASH_KEY]]);
    sealed.forEach((event, index) => {
      expect(event.metadata[HASH_KEY]).toBe(referenceHash('incident-a', 4n + BigInt(index), event));
      expect(event.metadata[HASH_KEY]).toBe(eventHash({ ...event, streamName: 'incident-a', revision: 4n + BigInt(index) }));
    });
  });

  it("overwrites a caller's links in place, keeps the other keys in their order and leaves the caller's object alone", () => {
    const metadata = { a: 1, [PREV_HASH_KEY]: 'forged', [HASH_KEY]: 'forged', z: 2 };
    const [sealed] = sealEvents('incident-b', 0n, null, [{ eventId: 'e1', type: 'ClaimMade.v1', data: undefined, metadata }]);

    expect(Object.keys(sealed.metadata)).toEqual(['a', PREV_HASH_KEY, 'z', HASH_KEY]);
    expect(sealed.metadata[PREV_HASH_KEY]).toBeNull();
    expect(sealed.metadata[HASH_KEY]).toBe(referenceHash('incident-b', 0n, sealed));
    expect(sealed.data).toBeNull();
    expect(metadata).toEqual({ a: 1, [PREV_HASH_KEY]: 'forged', [HASH_KEY]: 'forged', z: 2 });
  });

  it('keeps an own __proto__ key of parsed JSON as data, as a spread copy does', () => {
    const metadata = JSON.parse('{"__proto__":{"polluted":true},"recordedBy":"analyst"}') as Record<string, unknown>;

    const [sealed] = sealEvents('incident-c', 0n, null, [{ eventId: 'e1', type: 'ClaimMade.v1', data: {}, metadata }]);

    expect(Object.getPrototypeOf(sealed.metadata)).toBe(Object.prototype);
    expect(Object.keys(sealed.metadata)).toEqual(['__proto__', 'recordedBy', PREV_HASH_KEY, HASH_KEY]);
    expect(JSON.stringify(sealed.metadata)).toContain('"__proto__":{"polluted":true}');
    expect(sealed.metadata[HASH_KEY]).toBe(referenceHash('incident-c', 0n, sealed));
  });
});

describe('the spliced encoding', () => {
  // Any strings (lone surrogates, quotes, controls) in every member, any JSON data and metadata.
  const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) });
  const data = fc.jsonValue();
  const content = fc.record({
    eventId: text,
    streamName: text,
    revision: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    type: text,
    data,
    metadata: fc.dictionary(text, fc.jsonValue()),
  });

  it('hashes exactly what the reference encoder gives for the whole event', () => {
    fc.assert(
      fc.property(content, (event) => {
        expect(eventHash(event)).toBe(referenceHash(event.streamName, event.revision, event));
      }),
      { seed: 20261206, numRuns: 1000 },
    );
  });

  it("seals with a caller's canonical data text exactly as from the data itself", () => {
    fc.assert(
      fc.property(content, (event) => {
        const [plain] = sealEvents(event.streamName, event.revision, null, [event]);
        const [spliced] = sealEvents(event.streamName, event.revision, null, [{ ...event, dataText: canonicalDataText(event.data) }]);
        expect(spliced.metadata[HASH_KEY]).toBe(plain.metadata[HASH_KEY]);
        expect(spliced.metadata[HASH_KEY]).toBe(referenceHash(event.streamName, event.revision, spliced));
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });

  it('gives data its canonical text, null for none, and refuses what JSON cannot carry', () => {
    expect(canonicalDataText({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(canonicalDataText(undefined)).toBe('null');
    for (const bad of [{ n: Number.NaN }, { n: Number.NEGATIVE_INFINITY }, { n: 1n }]) expect(() => canonicalDataText(bad)).toThrow(TypeError);
  });
});
