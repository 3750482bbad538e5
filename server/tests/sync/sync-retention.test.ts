import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { loadConfig, syncRetentionDaysFromEnv } from '../../src/config';
import { startSyncPruneTimer } from '../../src/sync/sync-retention.service';
import { createClient, createOrg, createUser, type TestOrg } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { runKiki } from '../cli/cli-harness';

const DAY_MS = 86_400_000;
let database: TestDatabase;
let org: TestOrg;

async function changeLog() {
  return database.db
    .selectFrom('sync_changes')
    .select(['entity_id', 'version'])
    .where('org_id', '=', org.id)
    .orderBy('version')
    .execute();
}

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createOrg(database.db);
  const oldClient = await createClient(database.db, { orgId: org.id, name: 'Old' });
  // Age the first change by 40 days, as if it happened then.
  await database.db
    .updateTable('sync_changes')
    .set({ changed_at: new Date(Date.now() - 40 * DAY_MS) })
    .where('entity_id', '=', oldClient.id)
    .execute();
  await createClient(database.db, { orgId: org.id, name: 'Recent' });
  const user = await createUser(database.db, { orgId: org.id, role: 'operator' });
  const deviceId = newId();
  await database.db
    .insertInto('sync_devices')
    .values({ id: deviceId, org_id: org.id, user_id: user.id, last_mutation_id: 2 })
    .execute();
  await database.db
    .insertInto('sync_mutation_results')
    .values([
      {
        device_id: deviceId,
        mutation_id: 1,
        status: 'applied',
        result: '{}',
        created_at: new Date(Date.now() - 45 * DAY_MS),
      },
      { device_id: deviceId, mutation_id: 2, status: 'applied', result: '{}' },
    ])
    .execute();
});
afterAll(async () => {
  await database.destroy();
});

describe('sync retention', () => {
  it('is configured by KIKI_SYNC_RETENTION_DAYS, 30 days unless set, and refuses nonsense', () => {
    expect(syncRetentionDaysFromEnv({})).toBe(30);
    expect(syncRetentionDaysFromEnv({ KIKI_SYNC_RETENTION_DAYS: '7' })).toBe(7);
    expect(() => syncRetentionDaysFromEnv({ KIKI_SYNC_RETENTION_DAYS: '0' })).toThrow(/KIKI_SYNC_RETENTION_DAYS/);
    expect(() => syncRetentionDaysFromEnv({ KIKI_SYNC_RETENTION_DAYS: 'a month' })).toThrow(/whole number/);
    const env = {
      NODE_ENV: 'test',
      KIKI_JWT_SECRET: 'x'.repeat(40),
      KIKI_TOTP_KEY: Buffer.alloc(32).toString('base64'),
    };
    expect(loadConfig({ ...env, KIKI_SYNC_RETENTION_DAYS: '14' }).syncRetentionDays).toBe(14);
    expect(() => loadConfig({ ...env, KIKI_SYNC_RETENTION_DAYS: '-1' })).toThrow(/KIKI_SYNC_RETENTION_DAYS/);
  });

  it('prunes the old change log and push results from `retention run`, moving retained_from', async () => {
    const before = await changeLog();
    expect(before).toHaveLength(2);
    const dry = await runKiki(database.url, ['--json', 'retention', 'run', '--dry-run']);
    expect(dry.code).toBe(0);
    expect((JSON.parse(dry.stdout) as { sync: unknown }).sync).toMatchObject({
      changes: 1,
      mutationResults: 1,
      retentionDays: 30,
    });
    expect(await changeLog()).toEqual(before);

    const run = await runKiki(database.url, ['retention', 'run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sync change log rows (> 30 days): 1');
    expect(run.stdout).toContain('stored sync push results (> 30 days): 1');
    expect(await changeLog()).toEqual(before.slice(1));
    const versions = await database.db
      .selectFrom('sync_versions')
      .select('retained_from')
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(versions.retained_from).toBe(before[0]?.version);
    const results = await database.db.selectFrom('sync_mutation_results').select('mutation_id').execute();
    expect(results).toEqual([{ mutation_id: 2 }]);

    // A shorter window from the environment reaches the recent change too.
    const short = await runKiki(database.url, ['retention', 'run'], {
      env: { KIKI_SYNC_RETENTION_DAYS: '1' },
      now: () => new Date(Date.now() + 2 * DAY_MS),
    });
    expect(short.code).toBe(0);
    expect(await changeLog()).toEqual([]);
  });

  it('prunes on the server timer until stopped', async () => {
    const client = await createClient(database.db, { orgId: org.id, name: 'Timer' });
    await database.db
      .updateTable('sync_changes')
      .set({ changed_at: new Date(Date.now() - 40 * DAY_MS) })
      .where('entity_id', '=', client.id)
      .execute();
    const logged: string[] = [];
    const logger = { info: (_: object, m: string) => logged.push(m), warn: (_: object, m: string) => logged.push(m) };
    const stop = startSyncPruneTimer(database.db, { olderThanDays: 30, logger, intervalMs: 20 });
    try {
      await expect.poll(() => logged, { timeout: 5000 }).toContain('sync change log pruned');
      expect((await changeLog()).map((c) => c.entity_id)).not.toContain(client.id);
    } finally {
      stop();
    }
  });
});
