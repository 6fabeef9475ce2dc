import { SingleBar } from 'cli-progress';
import { CliOutput } from './cli-output';

/** One bar: advanced by the command, stopped exactly once (stop is idempotent). */
export interface ProgressBar {
  update(value: number, total?: number): void;
  increment(by?: number): void;
  stop(): void;
}

const NO_BAR: ProgressBar = { update: () => undefined, increment: () => undefined, stop: () => undefined };

/**
 * `--progress` forces bars, `--no-progress` suppresses them, neither draws
 * them only on a terminal: a bar redrawn in place is noise in a log file, and
 * stdout is never touched (it carries the data).
 */
export const progressEnabled = (out: CliOutput, option: boolean | undefined): boolean =>
  out.progressStream !== undefined && (option ?? out.progressStream.isTTY === true);

/** Redraws of a bar written to a pipe or file (one line each), at most this often. */
const NOT_TTY_REDRAW_MS = 1000;

export const startProgressBar = (out: CliOutput, enabled: boolean, label: string, total: number, unit: string): ProgressBar => {
  const stream = out.progressStream;
  if (!enabled || stream === undefined) return NO_BAR;
  const tty = stream.isTTY === true;
  const bar = new SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: `${label.padEnd(18)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
    barsize: 30,
    hideCursor: false,
    noTTYOutput: true,
    notTTYSchedule: NOT_TTY_REDRAW_MS,
    // On a pipe the bar cannot be erased; without this a blank line would follow its last line.
    clearOnComplete: !tty,
    gracefulExit: false,
  });
  bar.start(Math.max(0, total), 0);
  let stopped = false;
  return {
    update: (value, newTotal) => {
      if (stopped) return;
      if (newTotal !== undefined) bar.setTotal(Math.max(0, newTotal));
      bar.update(value);
    },
    increment: (by = 1) => {
      if (!stopped) bar.increment(by);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
};

/** Positions are bigint and may exceed 2^53 on EventStoreDB; a bar only needs their proportion. */
export const positionScale = (head: bigint): ((position: bigint) => number) => {
  if (head <= BigInt(Number.MAX_SAFE_INTEGER)) return (position) => Number(position);
  const divisor = head / 1_000_000n + 1n;
  return (position) => Number(position / divisor);
};
