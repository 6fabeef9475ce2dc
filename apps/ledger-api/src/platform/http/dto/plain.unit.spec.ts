import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import { MakeClaimDto } from '../../../claims/make-claim/make-claim.dto';
import { toPlain } from './plain';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

class Holder {
  declared?: string = undefined;
  constructor(readonly inner: unknown) {}
  get computed(): string {
    return 'not copied';
  }
}

describe('toPlain: what a JSON round trip makes of a DTO, without the round trip', () => {
  it('equals the round trip for any JSON value, also inside class instances and beside undefined members', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (value, other) => {
        expect(toPlain(value)).toStrictEqual(roundTrip(value));
        const mixed = { a: value, b: undefined, c: [undefined, other, () => 1], d: new Holder(value), e: -0 };
        expect(toPlain(mixed)).toStrictEqual(roundTrip(mixed));
        expect(JSON.stringify(toPlain(mixed))).toBe(JSON.stringify(mixed));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps key order, a "__proto__" member as a member, and leaves what JSON converts to JSON', () => {
    const poisoned = JSON.parse('{"z":1,"__proto__":{"x":1},"a":2}') as unknown;
    expect(JSON.stringify(toPlain(poisoned))).toBe('{"z":1,"__proto__":{"x":1},"a":2}');
    expect(Object.getPrototypeOf(toPlain(poisoned))).toBe(Object.prototype);
    const odd = { when: new Date(0), big: Number.POSITIVE_INFINITY, nan: Number.NaN, map: new Map([[1, 2]]), boxed: Object('text') as unknown };
    expect(toPlain(odd)).toStrictEqual(roundTrip(odd));
  });

  it('turns a validated DTO into the plain data a controller stores', () => {
    const body = { partyId: 'az-defence', statedAt: '2019-06-01', text: 'Text.', assertions: { outcome: 'clash' } };
    const dto = plainToInstance(MakeClaimDto, body);
    expect(toPlain(dto)).toStrictEqual(roundTrip(dto));
    expect(Object.getPrototypeOf(toPlain<object>(dto))).toBe(Object.prototype);
  });
});
