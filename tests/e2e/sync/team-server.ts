import { writeFileSync } from 'node:fs';
import { newId } from '@kiki/shared/ids';
import { loadConfig } from '../../../server/src/config';
import { openDatabase } from '../../../server/src/db/open-database';
import { runMigrations } from '../../../server/src/db/migrate';
import { startServer } from '../../../server/src/server';
import { createClient, createOrg, createUser } from '../../../server/tests/helpers/factories';
import { seedCampaign } from '../../../server/tests/helpers/world';
import type { SyncSeed } from './sync-seed';

/*
 * The team server for the sync e2e: the real server (embedded PostgreSQL, migrations, app role, live socket),
 * after seeding one agency with two clients, campaigns with recent metrics, a copy variant and two teammates
 * with TOTP. The seed, TOTP secrets included, goes to KIKI_E2E_SYNC_SEED for the spec to sign in with.
 */

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set (playwright.config.ts sets it)`);
  return value;
}

/** The last `count` days up to yesterday, so the dashboard's default period shows numbers. */
function recentDays(count: number): { date: string; spendMicros: number; revenueMicros: number }[] {
  const days = [];
  for (let back = count; back >= 1; back -= 1) {
    const date = new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
    days.push({ date, spendMicros: 40_000_000 + back * 1_000_000, revenueMicros: 120_000_000 + back * 3_000_000 });
  }
  return days;
}

async function seed(env: NodeJS.ProcessEnv): Promise<SyncSeed> {
  const config = loadConfig(env);
  const database = await openDatabase(config);
  try {
    await runMigrations(database.db);
    const db = database.db;
    const org = await createOrg(db, { name: 'Northwind Agency', mfaRequired: true });
    const acme = await createClient(db, { orgId: org.id, name: 'Acme Outdoor', currency: 'USD' });
    const nordic = await createClient(db, { orgId: org.id, name: 'Nordic Bikes', currency: 'USD' });
    const spring = await seedCampaign(db, org.id, acme.id, { name: 'Spring Sale', days: recentDays(20) });
    const trails = await seedCampaign(db, org.id, nordic.id, { name: 'Winter Trails', days: recentDays(10) });
    const copyId = newId();
    await db
      .insertInto('ad_copies')
      .values({
        id: copyId,
        org_id: org.id,
        campaign_id: spring.id,
        variant_label: 'A',
        headline: 'Gear up for spring',
        primary_text: 'Tents, boots and jackets for every trail.',
        call_to_action: 'Shop now',
        generated_by: 'human',
      })
      .execute();
    const totpKey = config.totpEncryptionKey;
    const ana = await createUser(db, {
      orgId: org.id,
      role: 'operator',
      email: 'ana@northwind.test',
      displayName: 'Ana Ruiz',
      mfa: true,
      totpKey,
    });
    const ben = await createUser(db, {
      orgId: org.id,
      role: 'manager',
      email: 'ben@northwind.test',
      displayName: 'Ben Okafor',
      mfa: true,
      totpKey,
    });
    // The agency admin changes teammates' roles through the server's API during the spec.
    const olga = await createUser(db, {
      orgId: org.id,
      role: 'admin',
      email: 'olga@northwind.test',
      displayName: 'Olga Lind',
      mfa: true,
      totpKey,
    });
    const person = (u: typeof ana) => {
      if (u.totpSecret === null) throw new Error('seeded users are enrolled in TOTP');
      return { id: u.id, email: u.email, password: u.password, totpSecret: u.totpSecret };
    };
    return {
      orgName: org.name,
      clients: { acme: acme.id, nordic: nordic.id },
      campaigns: { spring: spring.id, trails: trails.id },
      springAdId: spring.adId,
      copyId,
      users: { ana: person(ana), ben: person(ben), olga: person(olga) },
    };
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: requiredEnv('KIKI_E2E_SERVER_PORT'),
    KIKI_DATA_DIR: requiredEnv('KIKI_E2E_SERVER_DIR'),
    KIKI_JWT_SECRET: 'e2e-jwt-secret-that-is-long-enough-for-hs256-signing',
    KIKI_TOTP_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'warn',
    KIKI_RATE_LIMIT_PER_MINUTE: '100000',
  };
  const seeded = await seed(env);
  writeFileSync(requiredEnv('KIKI_E2E_SYNC_SEED'), JSON.stringify(seeded, null, 2));
  await startServer(env);
}

main().catch((error: unknown) => {
  console.error(
    `e2e team server could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
