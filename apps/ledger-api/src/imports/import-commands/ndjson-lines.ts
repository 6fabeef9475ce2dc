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
 * Splits bytes into lines without ever holding more than one line (at most
 * `maxLineBytes`): a never-ending line costs its bytes in transit, not memory.
 */
export class NdjsonSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private parts: Buffer[] = [];
  private held = 0;
  private discarding = 0;
  private number = 0;
  private total = 0;

  constructor(private readonly limits: NdjsonLimits) {}

  /** Bytes of the unfinished line kept for the next chunk. */
  get heldBytes(): number {
    return this.held;
  }

  push(raw: Buffer | string): RawLine[] {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    this.total += chunk.length;
    if (this.limits.maxTotalBytes > 0 && this.total > this.limits.maxTotalBytes) throw new ImportTooLargeError(this.limits.maxTotalBytes);
    const lines: RawLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      this.keep(chunk.subarray(start, nl));
      start = nl + 1;
      const line = this.finish();
      if (line) lines.push(line);
    }
    // Copied: a subarray would pin the whole chunk for a few bytes of the next line.
    if (start < chunk.length) this.keep(start === 0 ? chunk : Buffer.from(chunk.subarray(start)));
    return lines;
  }

  end(): RawLine[] {
    if (this.held === 0 && this.discarding === 0) return [];
    const line = this.finish();
    return line ? [line] : [];
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.discarding > 0 || this.held + piece.length > this.limits.maxLineBytes) {
      this.discarding += this.held + piece.length;
      this.parts = [];
      this.held = 0;
      return;
    }
    this.parts.push(piece);
    this.held += piece.length;
  }

  private finish(): RawLine | undefined {
    const number = ++this.number;
    if (this.discarding > 0) {
      const bytes = this.discarding;
      this.discarding = 0;
      return { number, tooLong: true, bytes };
    }
    const line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.held);
    this.parts = [];
    this.held = 0;
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    let text: string;
    try {
      text = this.decoder.decode(line.subarray(0, end));
    } catch {
      return { number, invalidUtf8: true, bytes: line.length };
    }
    if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
    if (text.trim() === '') return undefined;
    return { number, text, bytes: line.length };
  }
}

/** The lines of a byte stream, pulled lazily: a consumer that stops pulling stops the reading (and, on a socket, the sender). */
export async function* ndjsonLines(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, limits: NdjsonLimits): AsyncGenerator<RawLine> {
  const splitter = new NdjsonSplitter(limits);
  for await (const chunk of source) yield* splitter.push(chunk);
  yield* splitter.end();
}
