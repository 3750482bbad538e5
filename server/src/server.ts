import closeWithGrace from 'close-with-grace';
import { isAppError } from '@kiki/shared/errors';
import { buildApp } from './app';
import { loadConfig } from './config';
import { openDatabase } from './db/open-database';
import { runMigrations } from './db/migrate';
import { createLogger } from './logger';

/** Starts the team server: database (embedded unless DATABASE_URL), migrations, HTTP, graceful shutdown. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<void> {
  const warnings: string[] = [];
  const config = loadConfig(env, { onWarning: (m) => warnings.push(m) });
  const logger = createLogger(config);
  for (const warning of warnings) logger.warn(warning);

  const database = await openDatabase(config, (message) => logger.debug({ postgres: message.trim() }, 'database'));
  if (database.embedded) logger.info({ dataDir: config.dataDir }, 'using embedded PostgreSQL');
  const migrated = await runMigrations(database.db);
  for (const result of migrated.results ?? []) logger.info({ migration: result.migrationName }, 'migration applied');

  const app = await buildApp({ config, db: database.db, logger });
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
  });

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`KIKI server listening on http://${host}:${port}\n`);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  startServer(process.env).catch((error: unknown) => {
    process.stderr.write(
      `${isAppError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
