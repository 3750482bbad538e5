import path from 'node:path';
import { pino, type Logger } from 'pino';

/**
 * Main's log: stdout in development, a file in the OS log folder once packaged (a packaged app's stdout
 * goes nowhere on Windows and macOS). Secrets never reach it: nothing here logs request bodies.
 */
export function createMainLogger(options: { isPackaged: boolean; logsDir: string }): Logger {
  if (!options.isPackaged) return pino({ name: 'main' });
  return pino(
    { name: 'main' },
    pino.destination({ dest: path.join(options.logsDir, 'main.log'), mkdir: true, sync: false }),
  );
}
