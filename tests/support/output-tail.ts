/**
 * The last `limit` characters a child process printed, for error messages and log assertions. Kept as chunks and
 * joined only when read: rebuilding one string of the whole tail at every chunk (`tail = (tail + chunk).slice(-limit)`)
 * copied the full megabyte for each line a busy ledger logged, and that ran in the benchmark's client process, on the
 * event loop of its load generator (62 % of the client's CPU under `http-claims`).
 */
export class OutputTail {
  private chunks: string[] = [];
  private length = 0;

  constructor(private readonly limit: number) {
    if (!(limit > 0)) throw new RangeError('an output tail needs a positive limit');
  }

  push(text: string): void {
    if (text.length === 0) return;
    this.chunks.push(text);
    this.length += text.length;
    // Whole chunks go once the rest still holds the limit; text() cuts the first one that is left.
    while (this.length - this.chunks[0].length >= this.limit) this.length -= this.chunks.shift()!.length;
  }

  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    const all = this.chunks[0] ?? '';
    return all.length > this.limit ? all.slice(-this.limit) : all;
  }
}
