import { Command, CommanderError } from 'commander';
import { CliOutput, processOutput } from './cli-output';
import { rebuildCommand } from './commands/rebuild.command';
import { statusCommand } from './commands/status.command';
import { CliError, EXIT } from './ledger-files';

export const buildProgram = (out: CliOutput = processOutput): Command => {
  const program = new Command('ledger-cli')
    .description('Operator commands for an Incident Ledger data directory (embedded SQLite store).')
    .option('--data-dir <dir>', "the ledger's data directory (default: LEDGER_DATA_DIR, else ./data)")
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Configuration is read from the same environment as the API (LEDGER_DATA_DIR,
LOG_LEVEL, ...); --data-dir overrides LEDGER_DATA_DIR. The data directory must
exist and hold events.sqlite: the CLI never creates an empty ledger.

Exit codes:
  ${EXIT.ok}  success
  ${EXIT.failed}  the command failed (e.g. an event the read models cannot replay)
  ${EXIT.usage}  bad usage or configuration (unknown option, invalid environment, missing data directory or event log)
  ${EXIT.busy}  refused: the ledger API (or another process) has the files open; stop it first
  ${EXIT.outOfSync}  status --check: the read models are not in sync with the log

Examples:
  ledger-cli status --data-dir ./data
  LEDGER_DATA_DIR=/var/lib/ledger ledger-cli rebuild`,
    );
  program.addCommand(statusCommand(out));
  program.addCommand(rebuildCommand(out));
  // Subcommands inherit the output settings and exitOverride of the program only when set on each.
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  }
  return program;
};

/** Runs the CLI and returns the process exit code; never throws. */
export const runCli = async (argv: string[], out: CliOutput = processOutput): Promise<number> => {
  const program = buildProgram(out);
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
