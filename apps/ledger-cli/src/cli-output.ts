/** A stream progress bars may draw on; process.stderr in the real CLI. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Where the CLI writes: results on stdout, progress and errors on stderr (so stdout can be piped). */
export interface CliOutput {
  result(line: string): void;
  progress(line: string): void;
  error(line: string): void;
  /**
   * Where progress bars are drawn. Kept apart from `progress` because a bar
   * rewrites its line in place on a terminal; absent, no bar is ever drawn.
   */
  progressStream?: ProgressStream;
}

export const processOutput: CliOutput = {
  result: (line) => process.stdout.write(`${line}\n`),
  progress: (line) => process.stderr.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  progressStream: process.stderr,
};
