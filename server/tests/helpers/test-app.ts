import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import pino from 'pino';
import type { Role } from '@kiki/shared/permissions';
import { buildApp } from '../../src/app';
import { APP_ROLE } from '../../src/db/app-role';
import { createDatabase } from '../../src/db/create-database';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { issueSession } from '../../src/auth/tokens.service';
import {
  createClient,
  createOrg,
  createUser,
  type CreateUserOptions,
  type TestClient,
  type TestOrg,
  type TestUser,
} from './factories';
import { createTestDatabase } from './test-database';

/** Fixed, obviously-fake secrets: tests must never depend on a developer's environment. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    nodeEnv: 'test',
    host: '127.0.0.1',
    port: 0,
    dataDir: '.data/test-unused',
    corsOrigins: ['https://app.kiki.test'],
    logLevel: 'silent',
    jwtSecret: 'test-jwt-secret-that-is-long-enough-for-hs256!!',
    jwtIssuer: 'kiki-server-test',
    jwtAudience: 'kiki-desktop-test',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlDays: 30,
    totpEncryptionKey: Buffer.alloc(32, 7),
    mfaIssuer: 'KIKI',
    trustProxy: false,
    rateLimitPerMinute: 100_000,
    bodyLimitBytes: 1024 * 1024,
    ...overrides,
  };
}

export interface TestApp {
  app: FastifyInstance;
  db: Kysely<Database>;
  config: Config;
  createOrg(options?: { name?: string; mfaRequired?: boolean }): Promise<TestOrg>;
  createClient(options: { orgId: string; name?: string; currency?: string; timezone?: string }): Promise<TestClient>;
  createUser(options: Omit<CreateUserOptions, 'totpKey'> & { role: Role | null }): Promise<TestUser>;
  /** A valid bearer access token for `user`, from a real session row (as sign-in would make). */
  loginAs(user: { id: string; orgId: string }): Promise<string>;
  /** `Authorization` header for `user`. */
  authHeader(user: { id: string; orgId: string }): Promise<{ authorization: string }>;
  destroy(): Promise<void>;
}

/** A built app on a fresh migrated database. Call `destroy()` in afterAll. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(overrides);
  // The app runs as the restricted role, as the server does; `db` (for fixtures and assertions) stays the owner.
  const appDb = createDatabase({ url: database.url, role: APP_ROLE, maxConnections: 5 });
  const app = await buildApp({ config, db: appDb, logger: pino({ level: config.logLevel }) });
  await app.ready();
  const { db } = database;

  const loginAs = async (user: { id: string; orgId: string }): Promise<string> => {
    const tokens = await db
      .transaction()
      .execute((trx) =>
        issueSession(
          trx,
          config,
          { userId: user.id, orgId: user.orgId },
          { ip: '127.0.0.1', userAgent: 'vitest', requestId: null },
          new Date(),
        ),
      );
    return tokens.accessToken;
  };

  return {
    app,
    db,
    config,
    createOrg: (options) => createOrg(db, options),
    createClient: (options) => createClient(db, options),
    createUser: (options) => createUser(db, { ...options, totpKey: config.totpEncryptionKey }),
    loginAs,
    authHeader: async (user) => ({ authorization: `Bearer ${await loginAs(user)}` }),
    destroy: async () => {
      await app.close();
      await appDb.destroy();
      await database.destroy();
    },
  };
}

/** The `{ error: { code } }` of a failed response, for assertions. */
export function errorCodeOf(response: LightMyRequestResponse): string | undefined {
  const body = response.json<{ error?: { code?: string } }>();
  return body.error?.code;
}
