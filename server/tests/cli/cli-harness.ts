import type { Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import type { Database } from '../../src/db/database';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/kiki-server';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Answers to password prompts, in order; without them the CLI behaves as if no terminal is attached. */
  typed?: string[];
  now?: () => Date;
}

/** Runs the real CLI in-process against `databaseUrl`, capturing its output and exit code. */
export async function runKiki(databaseUrl: string, argv: string[], options: RunOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const typed = [...(options.typed ?? [])];
  const io: CliIo = {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, ...options.env },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readSecret: () => Promise.resolve(options.typed === undefined ? null : (typed.shift() ?? '')),
  };
  const code = await runCli(argv, { io, ...(options.now ? { now: options.now } : {}) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

export const OWNER_PASSWORD = 'owner password long enough';

export async function auditRows(db: Kysely<Database>, orgId: string) {
  return db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}

/** A live session row, as sign-in would leave it. */
export async function insertSession(
  db: Kysely<Database>,
  user: { id: string; orgId: string },
  overrides: { expiresAt?: Date; revokedAt?: Date | null; createdAt?: Date } = {},
): Promise<string> {
  const id = newId();
  const createdAt = overrides.createdAt ?? new Date();
  await db
    .insertInto('sessions')
    .values({
      id,
      org_id: user.orgId,
      user_id: user.id,
      created_at: createdAt,
      last_used_at: createdAt,
      expires_at: overrides.expiresAt ?? new Date(Date.now() + 86_400_000),
      revoked_at: overrides.revokedAt ?? null,
    })
    .execute();
  await db
    .insertInto('refresh_tokens')
    .values({
      id: newId(),
      org_id: user.orgId,
      user_id: user.id,
      family_id: id,
      token_hash: newId(),
      created_at: createdAt,
      expires_at: overrides.expiresAt ?? new Date(Date.now() + 86_400_000),
      revoked_at: overrides.revokedAt ?? null,
    })
    .execute();
  return id;
}

/** A client → campaign → deployment → ad chain, the parents a metric row needs. */
export async function createAdChain(
  db: Kysely<Database>,
  orgId: string,
  clientId: string,
  campaign: { name?: string; budgetMicros?: number; startDate?: string; platforms?: string[] } = {},
): Promise<{ campaignId: string; adId: string }> {
  const campaignId = newId();
  await db
    .insertInto('campaigns')
    .values({
      id: campaignId,
      org_id: orgId,
      client_id: clientId,
      name: campaign.name ?? 'Evergreen',
      objective: 'sales',
      status: 'active',
      budget_type: 'daily',
      budget_micros: campaign.budgetMicros ?? 1_000_000,
      currency: 'USD',
      start_date: campaign.startDate ?? '2024-01-01',
      end_date: null,
      ...(campaign.platforms !== undefined ? { platforms: campaign.platforms } : {}),
    })
    .execute();
  const deploymentId = newId();
  await db
    .insertInto('platform_deployments')
    .values({ id: deploymentId, org_id: orgId, campaign_id: campaignId, platform: 'meta', status: 'live' })
    .execute();
  const adId = newId();
  await db
    .insertInto('ads')
    .values({
      id: adId,
      org_id: orgId,
      campaign_id: campaignId,
      deployment_id: deploymentId,
      platform: 'meta',
      name: 'Ad',
      status: 'active',
    })
    .execute();
  return { campaignId, adId };
}
