import { isAppError } from '@kiki/shared/errors';
import { loadConfig } from './config';
import { getMigrationStatus, runMigrations } from './db/migrate';
import { openDatabase } from './db/open-database';

/** `npm run migrate -w server`: brings the configured database to the latest schema and says what it did. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
  const database = await openDatabase(config);
  try {
    const result = await runMigrations(database.db);
    const applied = (result.results ?? []).map((r) => r.migrationName);
    const status = await getMigrationStatus(database.db);
    process.stdout.write(
      applied.length > 0
        ? `Applied ${applied.join(', ')}. Database is at ${status.latest}.\n`
        : `Database is already at ${status.latest}; nothing to do.\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${isAppError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
