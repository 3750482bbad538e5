import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded-postgres';
import { createDatabase } from '../../src/db/create-database';
import { runMigrations } from '../../src/db/migrate';
import { databaseUrlFor } from './database-url';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the test cluster, for creating and dropping per-file databases. */
    pgAdminUrl: string;
    /** A migrated database each test file's database is copied from (CREATE DATABASE ... TEMPLATE). */
    pgTemplateDb: string;
  }
}

/**
 * One PostgreSQL for the whole run: the embedded one on a free port in a temp dir, or DATABASE_URL when set.
 * Migrating once into a template and copying it per file is far faster than migrating every file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let tempDir: string | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'kiki-server-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: tempDir });
    adminUrl = embedded.url;
  }

  const templateDb = `kiki_template_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await admin.end();
  const template = createDatabase({ url: databaseUrlFor(adminUrl, templateDb), maxConnections: 1 });
  await runMigrations(template);
  await template.destroy();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDb', templateDb);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
    await client.end();
    if (embedded !== null) await embedded.stop();
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
  };
}
