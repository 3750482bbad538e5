import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../src/db/database';
import { createDatabase } from '../../src/db/create-database';
import { databaseUrlFor } from './database-url';

export interface TestDatabase {
  db: Kysely<Database>;
  /** URL of this database, for tests that need their own connections (e.g. concurrent migrators). */
  url: string;
  name: string;
  destroy(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file on the shared test cluster: migrated to the latest version by
 * default, or empty with `{ migrated: false }`.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `kiki_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : inject('pgTemplateDb');
  // Copying from one template in parallel test workers can briefly collide; a short retry absorbs it.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  const url = databaseUrlFor(inject('pgAdminUrl'), name);
  const db = createDatabase({ url, maxConnections: 5 });
  return {
    db,
    url,
    name,
    destroy: async () => {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
