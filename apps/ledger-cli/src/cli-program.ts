import { Command, CommanderError } from 'commander';
import { CliOutput, processOutput } from './cli-output';
import { backupCommand } from './commands/backup.command';
import { exportCommand } from './commands/export.command';
import { changesCommand } from './commands/changes.command';
import { historyCommand } from './commands/history.command';
import { importCommand } from './commands/import.command';
import { rebuildCommand } from './commands/rebuild.command';
import { replayCommand } from './commands/replay.command';
import { restoreCommand } from './commands/restore.command';
import { statusCommand } from './commands/status.command';
import { tokensCommand } from './commands/tokens.command';
import { verifyCommand } from './commands/verify.command';
import { versionsCommand } from './commands/versions.command';
import { CliError, EXIT } from './ledger-files';

export const buildProgram = (out: CliOutput = processOutput, env: NodeJS.ProcessEnv = process.env): Command => {
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
  program.addCommand(replayCommand(out, env));
  program.addCommand(versionsCommand(out, env));
  program.addCommand(historyCommand(out, env));
  program.addCommand(changesCommand(out, env));
  program.addCommand(verifyCommand(out, env));
  program.addCommand(exportCommand(out, env));
  program.addCommand(statusCommand(out));
  program.addCommand(rebuildCommand(out, env));
  program.addCommand(importCommand(out));
  program.addCommand(tokensCommand(out));
  program.addCommand(backupCommand(out));
  program.addCommand(restoreCommand(out, env));
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
  const program = buildProgram(out, env);
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
