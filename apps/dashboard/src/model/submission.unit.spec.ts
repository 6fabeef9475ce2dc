import { fieldErrorsOf, SubmissionKeys, writeHeaders } from './submission';

describe("the dashboard's form submissions", () => {
  const known = new Set(['partyId', 'statement.text', 'assertions.casualties.0.killed.best', 'statedAt.at']);

  it('puts each 400 error at its field, a nested path under the closest input, the unknown above the form', () => {
    const errors = fieldErrorsOf(
      {
        status: 400,
        errors: [
          { field: 'assertions.casualties[0].killed.best', messages: ['must not be negative'] },
          { field: 'statedAt.at.extra', messages: ['bad'] },
          { field: 'words', messages: ['is not allowed'] },
        ],
      },
      known,
    );
    expect(errors.byField).toEqual({ 'assertions.casualties.0.killed.best': ['must not be negative'], 'statedAt.at': ['bad'] });
    expect(errors.general).toEqual(['words: is not allowed']);
  });

  it("puts a 422's broken rule at its field", () => {
    expect(fieldErrorsOf({ status: 422, code: 'cannot-deny-own-claim', field: 'partyId', detail: 'a party cannot deny its own claim' }, known)).toEqual({
      byField: { partyId: ['a party cannot deny its own claim'] },
      general: [],
    });
  });

  it('reuses one Idempotency-Key for the same submission, and takes a new one for another body or after success', () => {
    let n = 0;
    const keys = new SubmissionKeys(() => `key-${++n}`);
    expect(keys.keyFor('body-a')).toBe('key-1');
    expect(keys.keyFor('body-a')).toBe('key-1');
    expect(keys.keyFor('body-b')).toBe('key-2');
    keys.done();
    expect(keys.keyFor('body-b')).toBe('key-3');
  });

  it('sends the opened revision as If-Match when the write is conditional', () => {
    expect(writeHeaders('9', 'k')).toEqual({ 'Idempotency-Key': 'k', 'If-Match': '"9"' });
    expect(writeHeaders(undefined, 'k')).toEqual({ 'Idempotency-Key': 'k' });
  });
});
