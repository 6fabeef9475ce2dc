import { isAcceptableCorrelationId, resolveCorrelationId } from './correlation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveCorrelationId', () => {
  it.each([
    '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '01ARZ3NDEK TSV4RRFFQ69G5FAV'.replace(' ', ''),
    'import:batch-7/line=12',
    'a'.repeat(128),
  ])('keeps an acceptable id: %s', (id) => {
    expect(resolveCorrelationId(id)).toBe(id);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['a space', 'two words'],
    ['CR/LF', 'abc\r\nSet-Cookie: x=1'],
    ['markup', '<script>'],
    ['non-ASCII', 'überwachung'],
    ['empty', ''],
  ])('replaces an id with %s by a fresh UUID', (_label, id) => {
    const resolved = resolveCorrelationId(id);
    expect(resolved).toMatch(UUID);
    expect(isAcceptableCorrelationId(id)).toBe(false);
  });

  it('generates a UUID when the header is absent, and a new one each time', () => {
    const a = resolveCorrelationId(undefined);
    expect(a).toMatch(UUID);
    expect(resolveCorrelationId(undefined)).not.toBe(a);
  });

  it('takes the first of repeated headers and trims it', () => {
    expect(resolveCorrelationId(['  first  ', 'second'])).toBe('first');
  });
});
