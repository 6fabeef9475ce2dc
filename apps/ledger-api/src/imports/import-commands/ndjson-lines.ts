/** One physical line of an NDJSON body, numbered from 1; blank lines are skipped but still counted. */
export type RawLine =
  | { number: number; text: string; bytes: number }
  /** Longer than the line bound: its bytes were counted and dropped, never held. */
  | { number: number; tooLong: true; bytes: number }
  /** Not UTF-8: reported, not guessed at. */
  | { number: number; invalidUtf8: true; bytes: number };

/** The whole body went past the import's total bound (LEDGER_IMPORT_LIMIT_BYTES). */
export class ImportTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The import body is larger than the ${limitBytes} bytes the ledger accepts in one import.`);
    this.name = 'ImportTooLargeError';
  }
}

export interface NdjsonLimits {
  /** Largest line, in bytes without its line break. */
  maxLineBytes: number;
  /** Largest whole body; 0 for no bound (lines are streamed, so memory does not grow with it). */
  maxTotalBytes: number;
}

const NEWLINE = 0x0a;
const BOM = '\ufeff';

/**
 * Splits a byte stream into lines without ever holding more than one line
 * (at most `maxLineBytes`) plus one chunk: a never-ending line costs its
 * bytes in transit, not memory. Yields lazily, so a consumer that stops
 * pulling stops the reading (and, on a socket, the sender).
 */
export async function* ndjsonLines(source: AsyncIterable<Buffer | string>, limits: NdjsonLimits): AsyncGenerator<RawLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: Buffer[] = [];
  let held = 0;
  let discarding = 0;
  let number = 0;
  let total = 0;

  const finish = (): RawLine | undefined => {
    number += 1;
    if (discarding > 0) {
      const bytes = discarding;
      discarding = 0;
      return { number, tooLong: true, bytes };
    }
    const line = parts.length === 1 ? parts[0] : Buffer.concat(parts, held);
    parts = [];
    held = 0;
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    let text: string;
    try {
      text = decoder.decode(line.subarray(0, end));
    } catch {
      return { number, invalidUtf8: true, bytes: line.length };
    }
    if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
    if (text.trim() === '') return undefined;
    return { number, text, bytes: line.length };
  };

  const keep = (piece: Buffer): void => {
    if (piece.length === 0) return;
    if (discarding > 0 || held + piece.length > limits.maxLineBytes) {
      discarding += held + piece.length;
      parts = [];
      held = 0;
      return;
    }
    parts.push(piece);
    held += piece.length;
  };

  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    total += chunk.length;
    if (limits.maxTotalBytes > 0 && total > limits.maxTotalBytes) throw new ImportTooLargeError(limits.maxTotalBytes);
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      keep(chunk.subarray(start, nl));
      start = nl + 1;
      const line = finish();
      if (line) yield line;
    }
    // Copied: a subarray would pin the whole chunk (up to 64 KiB) for a few bytes of the next line.
    if (start < chunk.length) keep(start === 0 ? chunk : Buffer.from(chunk.subarray(start)));
  }
  if (held > 0 || discarding > 0) {
    const line = finish();
    if (line) yield line;
  }
}
