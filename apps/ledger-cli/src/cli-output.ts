/** Where the CLI writes: results on stdout, progress and errors on stderr (so stdout can be piped). */
export interface CliOutput {
  result(line: string): void;
  progress(line: string): void;
  error(line: string): void;
}

export const processOutput: CliOutput = {
  result: (line) => process.stdout.write(`${line}\n`),
  progress: (line) => process.stderr.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
