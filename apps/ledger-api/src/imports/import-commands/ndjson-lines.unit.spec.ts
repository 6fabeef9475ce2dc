import { ImportTooLargeError, ndjsonLines, NdjsonSplitter, RawLine } from './ndjson-lines';

const collect = async (chunks: Array<Buffer | string>, maxLineBytes = 64, maxTotalBytes = 0): Promise<RawLine[]> => {
  const out: RawLine[] = [];
  for await (const line of ndjsonLines(chunks, { maxLineBytes, maxTotalBytes })) out.push(line);
  return out;
};

describe('ndjsonLines', () => {
  it('splits lines across chunk boundaries, numbering blank lines without yielding them', async () => {
    const lines = await collect(['{"a":', '1}\n\n  \n{"b"', ':2}\r\n{"c":3}']);
    expect(lines).toEqual([
      { number: 1, text: '{"a":1}', bytes: 7 },
      { number: 4, text: '{"b":2}', bytes: 8 },
      { number: 5, text: '{"c":3}', bytes: 7 },
    ]);
  });

  it('drops a byte-order mark at the start and decodes a character split between chunks', async () => {
    const text = '{"t":"Ağdam"}';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const cut = bytes.indexOf(0xc4) + 1; // inside the two bytes of ğ
    const lines = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(lines).toEqual([{ number: 1, text, bytes: bytes.length }]);
  });

  it('reports a line over the bound with its length, then goes on with the next', async () => {
    const long = 'x'.repeat(200);
    const lines = await collect([`{"ok":1}\n${long.slice(0, 50)}`, long.slice(50), '\n{"ok":2}\n'], 64);
    expect(lines).toEqual([
      { number: 1, text: '{"ok":1}', bytes: 8 },
      { number: 2, tooLong: true, bytes: 200 },
      { number: 3, text: '{"ok":2}', bytes: 8 },
    ]);
  });

  it('never holds more than the bound of a never-ending line, however much of it arrives', () => {
    const splitter = new NdjsonSplitter({ maxLineBytes: 1024 * 1024, maxTotalBytes: 0 });
    let peak = 0;
    for (let i = 0; i < 512; i++) {
      expect(splitter.push(Buffer.alloc(64 * 1024, 0x61))).toEqual([]);
      peak = Math.max(peak, splitter.heldBytes);
    }
    expect(peak).toBeLessThanOrEqual(1024 * 1024);
    expect(splitter.heldBytes).toBe(0);
    expect(splitter.push('\n{"ok":1}')).toEqual([{ number: 1, tooLong: true, bytes: 32 * 1024 * 1024 }]);
    expect(splitter.end()).toEqual([{ number: 2, text: '{"ok":1}', bytes: 8 }]);
  });

  it('reports bytes that are not UTF-8 instead of guessing', async () => {
    const lines = await collect([Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), '{"ok":1}']);
    expect(lines).toEqual([
      { number: 1, invalidUtf8: true, bytes: 4 },
      { number: 2, text: '{"ok":1}', bytes: 8 },
    ]);
  });

  it('stops with ImportTooLargeError once the whole body passes its bound, after yielding the lines before', async () => {
    const seen: RawLine[] = [];
    const run = async () => {
      for await (const line of ndjsonLines(['{"a":1}\n', 'y'.repeat(100)], { maxLineBytes: 1000, maxTotalBytes: 50 })) seen.push(line);
    };
    await expect(run()).rejects.toBeInstanceOf(ImportTooLargeError);
    expect(seen).toEqual([{ number: 1, text: '{"a":1}', bytes: 7 }]);
  });
});
