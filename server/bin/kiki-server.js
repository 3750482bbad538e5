#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx kiki-server ...` works in the workspace without a build step.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'kiki-server.ts');
const child = spawn(process.execPath, ['--import', 'tsx', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
// The child handles Ctrl-C itself (the terminal signals the whole process group); just wait for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exit(signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});
