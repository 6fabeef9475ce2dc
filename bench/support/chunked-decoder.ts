/**
 * HTTP/1.1 chunked transfer coding taken off a response body as it arrives, for the feed-fanout subscribers that read
 * their streams over plain sockets (see sse-subscribers.worker.ts): `feed` takes the bytes after the response head, in
 * whatever pieces the socket gives them, and hands each piece of chunk data to `onData` without copying it. Chunk
 * extensions are ignored; the last chunk (size 0) calls `onEnd`, and trailers after it are not read.
 */
export const chunkedDecoder = (onData: (data: Buffer) => void, onEnd: () => void): ((bytes: Buffer) => void) => {
  /** Bytes of the current chunk's data still to come; -1 while a size line is read. */
  let left = -1;
  /** A size line cut by a read: what came of it so far. */
  let line = '';
  /** The CRLF after a chunk's data, or what is left of it. */
  let crlf = 0;
  let ended = false;
  return (bytes: Buffer): void => {
    let at = 0;
    while (at < bytes.length && !ended) {
      if (crlf > 0) {
        const n = Math.min(crlf, bytes.length - at);
        crlf -= n;
        at += n;
      } else if (left < 0) {
        const eol = bytes.indexOf(0x0a, at);
        line += bytes.toString('latin1', at, eol < 0 ? bytes.length : eol + 1);
        if (eol < 0) return;
        at = eol + 1;
        const size = line;
        line = '';
        left = /^[0-9a-f]+/i.test(size) ? parseInt(size, 16) : NaN;
        if (!(left >= 0)) throw new Error(`not a chunk size line: ${JSON.stringify(size)}`);
        if (left === 0) {
          ended = true;
          onEnd();
        }
      } else {
        const n = Math.min(left, bytes.length - at);
        onData(at === 0 && n === bytes.length ? bytes : bytes.subarray(at, at + n));
        left -= n;
        at += n;
        if (left === 0) {
          left = -1;
          crlf = 2;
        }
      }
    }
  };
};
