import { OutputTail } from './output-tail';

describe('OutputTail', () => {
  it('holds everything while under its limit', () => {
    const tail = new OutputTail(100);
    tail.push('API: http://127.0.0.1:1234/incidents\n');
    tail.push('');
    tail.push('second line\n');
    expect(tail.text()).toBe('API: http://127.0.0.1:1234/incidents\nsecond line\n');
  });

  it('keeps exactly the last `limit` characters of any sequence of chunks', () => {
    // A deterministic walk over chunk sizes from empty to several times the limit.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const limit of [1, 5, 64, 1000]) {
      const tail = new OutputTail(limit);
      let everything = '';
      for (let i = 0; i < 400; i++) {
        const size = next() % (3 * limit + 2);
        const chunk = String.fromCharCode(97 + (i % 26)).repeat(size) + (i % 7 === 0 ? `<${i}>` : '');
        tail.push(chunk);
        everything += chunk;
        if (i % 13 === 0) expect(tail.text()).toBe(everything.slice(-limit));
      }
      expect(tail.text()).toBe(everything.slice(-limit));
    }
  });

  it('reads the same twice, and goes on after a read', () => {
    const tail = new OutputTail(8);
    tail.push('abcdef');
    tail.push('ghij');
    expect(tail.text()).toBe('cdefghij');
    expect(tail.text()).toBe('cdefghij');
    tail.push('kl');
    expect(tail.text()).toBe('efghijkl');
  });

  it('refuses a limit that keeps nothing', () => {
    expect(() => new OutputTail(0)).toThrow(RangeError);
    expect(() => new OutputTail(Number.NaN)).toThrow(RangeError);
  });
});
