import { chunkedDecoder } from './chunked-decoder';

const chunked = (pieces: string[], extension = ''): Buffer =>
  Buffer.from(pieces.map((p) => `${Buffer.byteLength(p).toString(16)}${extension}\r\n${p}\r\n`).join('') + '0\r\n\r\n');

const decode = (wire: Buffer, cuts: number[]): { body: string; ends: number } => {
  const got: Buffer[] = [];
  let ends = 0;
  const feed = chunkedDecoder(
    (data) => got.push(Buffer.from(data)),
    () => ends++,
  );
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    feed(wire.subarray(from, cut));
    from = cut;
  }
  return { body: Buffer.concat(got).toString('utf8'), ends };
};

describe('chunkedDecoder (feed-fanout subscribers on plain sockets)', () => {
  const frames = ['id: 1\ndata: {"time":"2026-12-05T21:00:00.000Z"}\n\n', 'id: 2\ndata: {"text":"Степанакерт, Ստեփանակերտ"}\n\n', ': heartbeat\n\n', 'x'.repeat(70_000)];

  it('gives back the body whatever bytes each read ends at', () => {
    const wire = chunked(frames);
    const whole = frames.join('');
    expect(decode(wire, [])).toEqual({ body: whole, ends: 1 });
    // A cut at every byte of the framing and the first frames, one at a time.
    for (let cut = 1; cut < 200; cut++) expect(decode(wire, [cut])).toEqual({ body: whole, ends: 1 });
    // And the whole wire one byte a read.
    expect(decode(wire, Array.from({ length: wire.length - 1 }, (_, i) => i + 1))).toEqual({ body: whole, ends: 1 });
  });

  it('ignores chunk extensions, and reads nothing after the last chunk', () => {
    const wire = Buffer.concat([chunked(['id: 7\n\n'], ';name=value'), Buffer.from('trailer: x\r\n\r\n')]);
    expect(decode(wire, [3, 9])).toEqual({ body: 'id: 7\n\n', ends: 1 });
  });

  it('refuses a size line that is not hexadecimal', () => {
    const feed = chunkedDecoder(
      () => undefined,
      () => undefined,
    );
    expect(() => feed(Buffer.from('zz\r\nabc'))).toThrow(/not a chunk size line/);
  });
});
