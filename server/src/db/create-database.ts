import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { pgTypes } from './pg-types';

export interface DatabaseOptions {
  /** postgres:// URL */
  url: string;
  maxConnections?: number;
  /** A role every connection switches to at start-up (e.g. the restricted app role); the login user must be a member. */
  role?: string;
  /** Errors on idle pooled connections (e.g. the server restarting); without a listener they crash the process. */
  onIdleError?: (error: Error) => void;
}

/** A Kysely handle over a pg pool with the server's type parsers. Call `db.destroy()` to close it. */
export function createDatabase(options: DatabaseOptions): Kysely<Database> {
  if (options.role !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.role)) {
    throw new Error(`Not a plain role name: ${options.role}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types: pgTypes,
    ...(options.role !== undefined ? { options: `-c role=${options.role}` } : {}),
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
