import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { monthsBefore } from '../../src/cli/retention.command';
import { createClient, createOrg, createUser, type TestOrg } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { auditRows, createAdChain, runKiki } from './cli-harness';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

let database: TestDatabase;
let org: TestOrg;
let quietOrg: TestOrg;
/** Ids of rows the policy must delete, and of rows it must keep, by table. */
const doomed: Record<string, string[]> = {};
const kept: Record<string, string[]> = {};
function track(bucket: Record<string, string[]>, table: string, id: string): string {
  (bucket[table] ??= []).push(id);
  return id;
}

async function session(userId: string, options: { revokedAt?: Date; expiresAt: Date; createdAt: Date }) {
  const id = newId();
  await database.db
    .insertInto('sessions')
    .values({
      id,
      org_id: org.id,
      user_id: userId,
      created_at: options.createdAt,
      last_used_at: options.createdAt,
      expires_at: options.expiresAt,
      revoked_at: options.revokedAt ?? null,
    })
    .execute();
  return id;
}

async function token(userId: string, familyId: string, revokedAt: Date | null) {
  const id = newId();
  await database.db
    .insertInto('refresh_tokens')
    .values({
      id,
      org_id: org.id,
      user_id: userId,
      family_id: familyId,
      token_hash: id,
      created_at: daysAgo(60),
      expires_at: daysAgo(-30),
      revoked_at: revokedAt,
    })
    .execute();
  return id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createOrg(database.db, { name: 'Retention Agency' });
  quietOrg = await createOrg(database.db, { name: 'Quiet Agency' });
  const user = await createUser(database.db, { orgId: org.id, role: 'operator' });
  const enrolling = await createUser(database.db, { orgId: org.id, role: 'operator' });

  const oldRevoked = track(
    doomed,
    'sessions',
    await session(user.id, { createdAt: daysAgo(90), revokedAt: daysAgo(40), expiresAt: daysAgo(-5) }),
  );
  track(doomed, 'refresh_tokens', await token(user.id, oldRevoked, daysAgo(40)));
  const oldExpired = track(
    doomed,
    'sessions',
    await session(user.id, { createdAt: daysAgo(90), expiresAt: daysAgo(31) }),
  );
  track(doomed, 'refresh_tokens', await token(user.id, oldExpired, null));
  const recentlyRevoked = track(
    kept,
    'sessions',
    await session(user.id, { createdAt: daysAgo(20), revokedAt: daysAgo(10), expiresAt: daysAgo(-10) }),
  );
  track(kept, 'refresh_tokens', await token(user.id, recentlyRevoked, daysAgo(10)));
  // A live session keeps its long-rotated tokens: reuse detection needs them until the session ends.
  const live = track(kept, 'sessions', await session(user.id, { createdAt: daysAgo(60), expiresAt: daysAgo(-20) }));
  track(kept, 'refresh_tokens', await token(user.id, live, daysAgo(50)));
  track(kept, 'refresh_tokens', await token(user.id, live, null));

  for (const [bucket, usedAt] of [
    [doomed, daysAgo(1)],
    [kept, null],
  ] as const) {
    const id = track(bucket, 'recovery_codes', newId());
    await database.db
      .insertInto('recovery_codes')
      .values({ id, org_id: org.id, user_id: user.id, code_hash: id, used_at: usedAt })
      .execute();
  }

  await database.db
    .insertInto('mfa_enrollments')
    .values([
      {
        user_id: track(doomed, 'mfa_enrollments', user.id),
        org_id: org.id,
        secret_enc: 'x',
        created_at: new Date(NOW.getTime() - 60 * 60_000),
      },
      {
        user_id: track(kept, 'mfa_enrollments', enrolling.id),
        org_id: org.id,
        secret_enc: 'x',
        created_at: new Date(NOW.getTime() - 5 * 60_000),
      },
    ])
    .execute();

  for (const [bucket, orgId, age] of [
    [doomed, org.id, 91],
    [kept, org.id, 89],
    [doomed, null, 100],
    [kept, null, 10],
    [kept, quietOrg.id, 10],
  ] as const) {
    const id = track(bucket, 'auth_events', newId());
    await database.db
      .insertInto('auth_events')
      .values({ id, org_id: orgId, user_id: null, event: 'auth.sign_in_failed', created_at: daysAgo(age) })
      .execute();
  }

  const client = await createClient(database.db, { orgId: org.id });
  const { campaignId, adId } = await createAdChain(database.db, org.id, client.id);
  const cutoff = monthsBefore(NOW, 25);
  expect(cutoff).toBe('2024-05-15');
  for (const [bucket, date] of [
    [doomed, '2024-05-14'],
    [kept, '2024-05-15'],
    [kept, '2026-06-01'],
  ] as const) {
    track(bucket, 'performance_metrics', date);
    await database.db
      .insertInto('performance_metrics')
      .values({
        org_id: org.id,
        platform: 'meta',
        ad_id: adId,
        date,
        client_id: client.id,
        campaign_id: campaignId,
        impressions: 1,
        clicks: 0,
        spend_micros: 1,
        conversions: 0,
        revenue_micros: 0,
      })
      .execute();
  }
  // Rollups are kept whatever their age.
  await database.db
    .insertInto('daily_revenue_summaries')
    .values({
      org_id: org.id,
      client_id: client.id,
      date: '2020-01-01',
      impressions: 1,
      clicks: 0,
      spend_micros: 1,
      conversions: 0,
      revenue_micros: 0,
    })
    .execute();
});
afterAll(async () => {
  await database.destroy();
});

const kiki = (argv: string[]) => runKiki(database.url, argv, { now: () => NOW });

async function snapshot() {
  const db = database.db;
  return {
    sessions: (await db.selectFrom('sessions').select('id').where('org_id', '=', org.id).execute()).map((r) => r.id),
    refresh_tokens: (await db.selectFrom('refresh_tokens').select('id').execute()).map((r) => r.id),
    recovery_codes: (await db.selectFrom('recovery_codes').select('id').execute()).map((r) => r.id),
    mfa_enrollments: (await db.selectFrom('mfa_enrollments').select('user_id').execute()).map((r) => r.user_id),
    auth_events: (await db.selectFrom('auth_events').select('id').execute()).map((r) => r.id),
    performance_metrics: (await db.selectFrom('performance_metrics').select('date').execute()).map((r) => r.date),
    daily_revenue_summaries: (await db.selectFrom('daily_revenue_summaries').select('date').execute()).length,
    audit: (await db.selectFrom('audit_log').select('id').execute()).length,
  };
}

describe('retention run', () => {
  it('--dry-run counts what would go and changes nothing, not even the audit log', async () => {
    const before = await snapshot();
    const run = await kiki(['--json', 'retention', 'run', '--dry-run']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      dryRun: boolean;
      totals: Record<string, number>;
      orphanAuthEvents: number;
    };
    expect(report.dryRun).toBe(true);
    expect(report.totals).toEqual({
      sessions: 2,
      refreshTokens: 2,
      recoveryCodes: 1,
      mfaEnrollments: 1,
      authEvents: 2,
      performanceMetrics: 1,
    });
    expect(report.orphanAuthEvents).toBe(1);
    expect(await snapshot()).toEqual(before);
    const human = await kiki(['retention', 'run', '--dry-run']);
    expect(human.stdout).toContain('Would delete');
    expect(human.stdout).toContain('Dry run: nothing was changed.');
  });

  it('deletes exactly the expired rows, keeps the rest and audits the counts per agency', async () => {
    const before = await snapshot();
    const quietAuditBefore = (await auditRows(database.db, quietOrg.id)).length;
    const run = await kiki(['retention', 'run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sessions (ended > 30 days ago): 2');
    expect(run.stdout).toContain('raw metric rows (before 25 months): 1');

    const after = await snapshot();
    for (const table of [
      'sessions',
      'refresh_tokens',
      'recovery_codes',
      'mfa_enrollments',
      'auth_events',
      'performance_metrics',
    ] as const) {
      for (const id of doomed[table] ?? []) expect(after[table], `${table} ${id} should be gone`).not.toContain(id);
      for (const id of kept[table] ?? []) expect(after[table], `${table} ${id} should stay`).toContain(id);
    }
    expect(after.daily_revenue_summaries).toBe(before.daily_revenue_summaries);
    expect(after.audit).toBe(before.audit + 1);

    const last = (await auditRows(database.db, org.id)).at(-1);
    expect(last).toMatchObject({ action: 'admin.retention_run', actor_user_id: null });
    expect(last?.data).toEqual({
      source: 'cli',
      deleted: {
        sessions: 2,
        refreshTokens: 2,
        recoveryCodes: 1,
        mfaEnrollments: 1,
        authEvents: 1,
        performanceMetrics: 1,
      },
    });
    expect(await auditRows(database.db, quietOrg.id)).toHaveLength(quietAuditBefore);

    const again = await kiki(['--json', 'retention', 'run']);
    expect((JSON.parse(again.stdout) as { totals: Record<string, number> }).totals).toEqual({
      sessions: 0,
      refreshTokens: 0,
      recoveryCodes: 0,
      mfaEnrollments: 0,
      authEvents: 0,
      performanceMetrics: 0,
    });
  });
});

describe('monthsBefore', () => {
  it('clamps to the end of a shorter month', () => {
    expect(monthsBefore(new Date('2026-03-31T10:00:00Z'), 25)).toBe('2024-02-29');
    expect(monthsBefore(new Date('2026-01-15T00:00:00Z'), 1)).toBe('2025-12-15');
  });
});
