import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import type { Role } from '@kiki/shared/permissions';
import type { Database } from '../../src/db/database';
import { hashPassword } from '../../src/auth/password';
import { sealSecret } from '../../src/auth/secret-box';
import { generateTotpSecret } from '../../src/auth/totp';

export const DEFAULT_TEST_PASSWORD = 'correct horse battery staple';

// argon2id is deliberately slow; hashing the shared default password once keeps factories fast.
let defaultPasswordHash: Promise<string> | null = null;
function passwordHashFor(password: string): Promise<string> {
  if (password !== DEFAULT_TEST_PASSWORD) return hashPassword(password);
  defaultPasswordHash ??= hashPassword(DEFAULT_TEST_PASSWORD);
  return defaultPasswordHash;
}

function suffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestOrg {
  id: string;
  name: string;
}

export async function createOrg(
  db: Kysely<Database>,
  options: { name?: string; mfaRequired?: boolean } = {},
): Promise<TestOrg> {
  const org = { id: newId(), name: options.name ?? `Agency ${suffix()}` };
  await db
    .insertInto('organizations')
    .values({ ...org, mfa_required: options.mfaRequired ?? false })
    .execute();
  return org;
}

export interface TestClient {
  id: string;
  orgId: string;
  name: string;
  currency: string;
  timezone: string;
}

export async function createClient(
  db: Kysely<Database>,
  options: { orgId: string; name?: string; currency?: string; timezone?: string },
): Promise<TestClient> {
  const client: TestClient = {
    id: newId(),
    orgId: options.orgId,
    name: options.name ?? `Brand ${suffix()}`,
    currency: options.currency ?? 'USD',
    timezone: options.timezone ?? 'America/New_York',
  };
  await db
    .insertInto('clients')
    .values({
      id: client.id,
      org_id: client.orgId,
      name: client.name,
      currency: client.currency,
      timezone: client.timezone,
    })
    .execute();
  return client;
}

export interface TestUser {
  id: string;
  orgId: string;
  email: string;
  password: string;
  role: Role | null;
  clientIds: string[] | null;
  /** Base32 TOTP secret when created with `mfa: true`. */
  totpSecret: string | null;
}

export interface CreateUserOptions {
  orgId: string;
  /** null = a user with no membership at all. */
  role: Role | null;
  clientIds?: string[] | null;
  password?: string;
  /** Enrols TOTP with a fresh secret, sealed with `totpKey` the way the server stores it. */
  mfa?: boolean;
  totpKey?: Uint8Array;
  email?: string;
  displayName?: string;
  status?: 'active' | 'disabled';
}

export async function createUser(db: Kysely<Database>, options: CreateUserOptions): Promise<TestUser> {
  const id = newId();
  const password = options.password ?? DEFAULT_TEST_PASSWORD;
  const email = (options.email ?? `user-${suffix()}@example.test`).toLowerCase();
  let totpSecret: string | null = null;
  let totpSecretEnc: string | null = null;
  if (options.mfa === true) {
    if (options.totpKey === undefined)
      throw new Error('createUser({ mfa: true }) needs totpKey (config.totpEncryptionKey)');
    totpSecret = generateTotpSecret();
    totpSecretEnc = sealSecret(options.totpKey, totpSecret, id);
  }
  await db
    .insertInto('users')
    .values({
      id,
      org_id: options.orgId,
      email,
      display_name: options.displayName ?? `User ${email.split('@')[0] ?? ''}`,
      password_hash: await passwordHashFor(password),
      status: options.status ?? 'active',
      mfa_enabled: options.mfa === true,
      totp_secret_enc: totpSecretEnc,
    })
    .execute();
  const clientIds = options.clientIds ?? null;
  if (options.role !== null) {
    await db
      .insertInto('memberships')
      .values({ id: newId(), org_id: options.orgId, user_id: id, role: options.role, client_ids: clientIds })
      .execute();
  }
  return { id, orgId: options.orgId, email, password, role: options.role, clientIds, totpSecret };
}
