import { Command, CommanderError } from 'commander';
import { CliOutput, processOutput } from './cli-output';
import { CliError, EXIT } from './ledger-files';

type CommandFactory = (out: CliOutput, env: NodeJS.ProcessEnv) => Command;

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The commands in help order, each module required only when its command is built: import, tokens and rebuild bring
 * the application's handlers, NestJS and the PostgreSQL driver, which cost every other command (verify, history, ...)
 * about 0.4 s at start.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => CommandFactory]> = [
  ['replay', () => (require('./commands/replay.command') as typeof import('./commands/replay.command')).replayCommand],
  ['versions', () => (require('./commands/versions.command') as typeof import('./commands/versions.command')).versionsCommand],
  ['history', () => (require('./commands/history.command') as typeof import('./commands/history.command')).historyCommand],
  ['changes', () => (require('./commands/changes.command') as typeof import('./commands/changes.command')).changesCommand],
  ['verify', () => (require('./commands/verify.command') as typeof import('./commands/verify.command')).verifyCommand],
  ['export', () => (require('./commands/export.command') as typeof import('./commands/export.command')).exportCommand],
  ['status', () => (require('./commands/status.command') as typeof import('./commands/status.command')).statusCommand],
  ['rebuild', () => (require('./commands/rebuild.command') as typeof import('./commands/rebuild.command')).rebuildCommand],
  ['import', () => (require('./commands/import.command') as typeof import('./commands/import.command')).importCommand],
  ['tokens', () => (require('./commands/tokens.command') as typeof import('./commands/tokens.command')).tokensCommand],
  ['backup', () => (require('./commands/backup.command') as typeof import('./commands/backup.command')).backupCommand],
  ['restore', () => (require('./commands/restore.command') as typeof import('./commands/restore.command')).restoreCommand],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The command an argument vector runs, when it names one of ours before any option but `--data-dir`; undefined for
 * help, an unknown command or anything else, which then gets every command (for the listing and the suggestions).
 */
export const invokedCommand = (argv: readonly string[]): string | undefined => {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--data-dir') {
      i++;
      continue;
    }
    if (arg.startsWith('--data-dir=')) continue;
    if (arg.startsWith('-')) return undefined;
    return COMMANDS.some(([name]) => name === arg) ? arg : undefined;
  }
  return undefined;
};

/** The program with every command, or with only `only` (the command being run). */
export const buildProgram = (out: CliOutput = processOutput, env: NodeJS.ProcessEnv = process.env, only?: string): Command => {
  const program = new Command('ledger-cli')
    .description('Auditor and operator commands for an Incident Ledger: replay, versions, history, verify and export read the log; status and rebuild look after the read models; import writes NDJSON commands; tokens, backup and restore are operations.')
    .option('--data-dir <dir>', "the ledger's data directory (default: LEDGER_DATA_DIR, else ./data)")
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Configuration is read from the same environment as the API (LEDGER_DATA_DIR,
LOG_LEVEL, ...); --data-dir overrides LEDGER_DATA_DIR. The data directory must
exist and hold events.sqlite: the CLI never creates an empty ledger (nor a key).
The auditor commands (replay, versions, history, verify, export) only read, run
beside the API, and read EventStoreDB when EVENTSTORE_CONNECTION_STRING is set;
status, rebuild, import, backup and restore work on the embedded store only
(rebuild with LEDGER_READ_MODELS_URL rebuilds the read models in PostgreSQL,
from either log);
tokens manages the tokens file (a running API follows it).

Exit codes:
  ${EXIT.ok}  success
  ${EXIT.failed}  the command failed (an unknown incident or claim, verify or export found the log
     does not check out, an event the read models cannot replay, import lines that failed)
  ${EXIT.usage}  bad usage or configuration (unknown option, invalid environment, missing data directory or event log)
  ${EXIT.busy}  refused: the ledger API (or another process) has the files open; stop it first
  ${EXIT.outOfSync}  status --check: the read models are not in sync with the log

Examples:
  ledger-cli status --data-dir ./data
  ledger-cli replay <incidentId>
  ledger-cli versions <incidentId> --as-of 2019-05-31 --clock stated
  ledger-cli history <incidentId> <claimId> --as-of 2019-06-03T09:00:00Z
  ledger-cli verify --keys ledger-keys.json
  ledger-cli export ./audit-2019-06 --keys ledger-keys.json
  LEDGER_DATA_DIR=/var/lib/ledger ledger-cli rebuild
  ledger-cli import commands.ndjson --as analyst-7 --json
  ledger-cli tokens issue --principal analyst-7 --role recorder
  ledger-cli backup /var/backups/ledger-2026-12-04
  ledger-cli restore /var/backups/ledger-2026-12-04 --data-dir /var/lib/ledger`,
    );
  for (const [name, load] of COMMANDS) if (only === undefined || name === only) program.addCommand(load()(out, env));
  // Subcommands inherit the output settings and exitOverride of the program only when set on each.
  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program)) {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  }
  return program;
};

/** Runs the CLI and returns the process exit code; never throws. */
export const runCli = async (argv: string[], out: CliOutput = processOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const program = buildProgram(out, env, invokedCommand(argv));
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; it has already printed what there was to say.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      out.error(`ledger-cli: ${error.message}`);
      return error.exitCode;
    }
    out.error(`ledger-cli: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failed;
  }
};
