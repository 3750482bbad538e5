import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Everything a command touches outside the database, so tests run the real CLI in-process. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks for a secret without echoing it; null when there is no terminal to ask on. */
  readSecret(prompt: string): Promise<string | null>;
}

/** Wrong invocation (missing or malformed option): exit code 2, like commander's own usage errors. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Written into every audit row the CLI causes, so the log shows the change came from a shell, not the API. */
export const CLI_SOURCE = { source: 'cli' } as const;

async function readSecretFromTerminal(prompt: string): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  process.stderr.write(prompt);
  // Readline echoes what it reads to `output`; a sink that drops everything keeps the password off screen.
  const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    readSecret: readSecretFromTerminal,
  };
}

/** Prints a command's result: the human sentence by default, the data as one JSON document with `--json`. */
export function emit(io: CliIo, json: boolean, human: string, data: unknown): void {
  io.stdout(json ? JSON.stringify(data, null, 2) : human);
}

/**
 * Reads a new password from `envName` or, on a terminal, asks twice. Never from a flag: flags land in
 * shell history and in `ps` output.
 */
export async function readNewPassword(io: CliIo, envName: string, who: string): Promise<string> {
  const fromEnv = io.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const first = await io.readSecret(`Password for ${who}: `);
  if (first === null) {
    throw new UsageError(`No password given for ${who}: set ${envName} or run this command in a terminal to type it.`);
  }
  const second = await io.readSecret('Repeat the password: ');
  if (second !== first) throw new UsageError('The two passwords differ; run the command again.');
  return first;
}
