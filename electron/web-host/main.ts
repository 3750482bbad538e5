import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { createAppCore } from '../core/app-core';
import { tokenVaultFrom, type TokenVault } from '../core/sync/token-vault';
import { createKeytarVault } from '../main/vault/keytar-vault';
import { createMemoryVault } from '../main/vault/memory-vault';
import { startWebHost } from './web-host';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a whole number from 0 to 65535 (0 picks a free port), got "${raw}".`);
  }
  return port;
}

function appVersion(): string {
  const manifest = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')));
  return manifest.version;
}

/**
 * Where this host keeps team-server refresh tokens. The OS keychain by default, as in the app. `memory` (flag
 * `--vault memory` or KIKI_VAULT=memory) is for tests and machines without a Secret Service: tokens live in this
 * process only, so every restart of the host signs the user out (the cache and unsynced edits stay).
 */
function chooseVault(flag: string | undefined, logger: pino.Logger): TokenVault {
  const kind = flag ?? process.env.KIKI_VAULT ?? 'keychain';
  if (kind === 'memory') return tokenVaultFrom(createMemoryVault());
  if (kind === 'keychain') return tokenVaultFrom(createKeytarVault({ logger }));
  throw new Error(`--vault must be "keychain" (default) or "memory", got "${kind}".`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      vault: { type: 'string' },
    },
    strict: true,
  });
  const logger = pino({ name: 'web-host' });
  const vault = chooseVault(values.vault, logger);
  const host = await startWebHost({
    host: '127.0.0.1',
    port: parsePort(values.port),
    token: process.env.KIKI_WEB_TOKEN,
    dataDir: path.resolve(values['data-dir'] ?? path.join(repoRoot, '.data', 'web-host')),
    rendererDir: path.resolve(values['renderer-dir'] ?? path.join(repoRoot, 'dist', 'renderer')),
    demo: values.demo,
    createCore: (options) => createAppCore({ ...options, appVersion: appVersion(), vault }),
    logger,
  });
  // Plain stdout, not the JSON log: people and test runners read this line.
  console.log(`KIKI Desktop (web host) ready: ${host.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`KIKI web host could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
