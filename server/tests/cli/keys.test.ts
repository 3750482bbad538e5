import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecondFactor } from '../../src/auth/mfa.service';
import { openSecret, sealSecret } from '../../src/auth/secret-box';
import { generateTotpCode, generateTotpSecret } from '../../src/auth/totp';
import { createOrg, createUser, type TestOrg, type TestUser } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { auditRows, runKiki } from './cli-harness';

const OLD_KEY = Buffer.alloc(32, 1);
const NEW_KEY = Buffer.alloc(32, 2);
const STRANGER_KEY = Buffer.alloc(32, 3);
const keysEnv = { KIKI_TOTP_KEY_OLD: OLD_KEY.toString('base64'), KIKI_TOTP_KEY: NEW_KEY.toString('base64') };

let database: TestDatabase;
let org: TestOrg;
let enrolled: TestUser;
let pending: TestUser;
const pendingSecret = generateTotpSecret();

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createOrg(database.db, { name: 'Keys Agency' });
  enrolled = await createUser(database.db, { orgId: org.id, role: 'operator', mfa: true, totpKey: OLD_KEY });
  pending = await createUser(database.db, { orgId: org.id, role: 'operator' });
  await database.db
    .insertInto('mfa_enrollments')
    .values({ user_id: pending.id, org_id: org.id, secret_enc: sealSecret(OLD_KEY, pendingSecret, pending.id) })
    .execute();
});
afterAll(async () => {
  await database.destroy();
});

async function sealedSecrets() {
  const users = await database.db.selectFrom('users').select(['id', 'totp_secret_enc']).orderBy('id').execute();
  const enrollments = await database.db.selectFrom('mfa_enrollments').select(['user_id', 'secret_enc']).execute();
  return { users, enrollments };
}

describe('keys rotate-totp', () => {
  it('changes nothing when a secret opens with neither key', async () => {
    const stranger = await createUser(database.db, {
      orgId: org.id,
      role: 'analyst',
      mfa: true,
      totpKey: STRANGER_KEY,
    });
    const before = await sealedSecrets();
    const auditBefore = (await auditRows(database.db, org.id)).length;
    const run = await runKiki(database.url, ['keys', 'rotate-totp'], { env: keysEnv });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`user ${stranger.id}`);
    expect(run.stderr).toContain('nothing was changed');
    expect(await sealedSecrets()).toEqual(before);
    expect(await auditRows(database.db, org.id)).toHaveLength(auditBefore);
    await database.db.deleteFrom('users').where('id', '=', stranger.id).execute();
  });

  it('moves every secret to the new key so sign-in keeps working, and audits it', async () => {
    const run = await runKiki(database.url, ['--json', 'keys', 'rotate-totp'], { env: keysEnv });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ users: 1, enrollments: 1, alreadyRotated: 0 });

    // The MFA service, configured with only the new key, accepts the user's authenticator code.
    const now = new Date();
    const code = generateTotpCode(enrolled.totpSecret ?? '', now.getTime());
    const method = await database.db
      .transaction()
      .execute((trx) =>
        verifySecondFactor(
          trx,
          { totpEncryptionKey: NEW_KEY, mfaIssuer: 'KIKI' },
          { orgId: org.id, userId: enrolled.id },
          { code },
          now,
        ),
      );
    expect(method).toBe('totp');
    const enrollment = await database.db
      .selectFrom('mfa_enrollments')
      .select('secret_enc')
      .where('user_id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(openSecret(NEW_KEY, enrollment.secret_enc, pending.id)).toBe(pendingSecret);
    expect(() => openSecret(OLD_KEY, enrollment.secret_enc, pending.id)).toThrow();

    const last = (await auditRows(database.db, org.id)).at(-1);
    expect(last).toMatchObject({ action: 'admin.totp_key_rotated', actor_user_id: null });
    expect(last?.data).toEqual({ source: 'cli', users: 1, enrollments: 1 });
    expect(JSON.stringify(last?.data)).not.toContain(pendingSecret);
  });

  it('is safe to run again: secrets already on the new key are left alone', async () => {
    const before = await sealedSecrets();
    const run = await runKiki(database.url, ['--json', 'keys', 'rotate-totp'], { env: keysEnv });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ users: 0, enrollments: 0, alreadyRotated: 2 });
    expect(await sealedSecrets()).toEqual(before);
  });

  it.each([
    [{ KIKI_TOTP_KEY: keysEnv.KIKI_TOTP_KEY }, 'KIKI_TOTP_KEY_OLD is not set'],
    [{ ...keysEnv, KIKI_TOTP_KEY: 'c2hvcnQ=' }, 'KIKI_TOTP_KEY must be 32 random bytes'],
    [{ ...keysEnv, KIKI_TOTP_KEY: keysEnv.KIKI_TOTP_KEY_OLD }, 'are the same key'],
  ])('usage error exits 2 (%#)', async (env, message) => {
    const run = await runKiki(database.url, ['keys', 'rotate-totp'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
