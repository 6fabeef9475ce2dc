import { runCli } from '../../apps/ledger-cli/src/cli-program';
import { CliOutput } from '../../apps/ledger-cli/src/cli-output';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What progress bars drew (the captured stand-in for stderr's terminal). */
  bars: string;
}

/** ledger-cli run in this process from sources, its output captured. */
export const runCliInProcess = async (args: string[], env: Record<string, string> = {}): Promise<CliRun> => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let bars = '';
  const out: CliOutput = {
    result: (line) => stdout.push(line),
    progress: (line) => stderr.push(line),
    error: (line) => stderr.push(line),
    progressStream: { isTTY: false, write: (chunk) => ((bars += chunk), true) },
  };
  // A clean environment: the developer's own LEDGER_* or EVENTSTORE_* must not leak in.
  const code = await runCli(['node', 'ledger-cli', ...args], out, { LOG_LEVEL: 'error', ...env });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), bars };
};
