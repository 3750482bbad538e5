import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { pgTypes } from './pg-types';

export interface DatabaseOptions {
  /** postgres:// URL */
  url: string;
  maxConnections?: number;
  /** Errors on idle pooled connections (e.g. the server restarting); without a listener they crash the process. */
  onIdleError?: (error: Error) => void;
}

/** A Kysely handle over a pg pool with the server's type parsers. Call `db.destroy()` to close it. */
export function createDatabase(options: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types: pgTypes,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
