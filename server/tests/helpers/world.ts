import type { Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import { ROLES, type Role } from '@kiki/shared/permissions';
import type { Database } from '../../src/db/database';
import type { TestApp } from './test-app';
import type { TestClient, TestOrg, TestUser } from './factories';

export interface SeededCampaign {
  id: string;
  clientId: string;
  adId: string;
}

/** One agency with two clients, a campaign with a day of metrics on each, and a user per role. */
export interface AgencyWorld {
  org: TestOrg;
  clientA: TestClient;
  clientB: TestClient;
  campaignA: SeededCampaign;
  campaignB: SeededCampaign;
  /** Org-wide users for every role but client_viewer, plus a client_viewer of clientA. */
  users: Record<Role, TestUser>;
  /** A bystander users can be disabled, renamed and granted roles on. */
  target: TestUser;
}

export async function seedCampaign(
  db: Kysely<Database>,
  orgId: string,
  clientId: string,
  options: { name?: string; days?: { date: string; spendMicros: number; revenueMicros: number }[] } = {},
): Promise<SeededCampaign> {
  const campaignId = newId();
  const deploymentId = newId();
  const adId = newId();
  await db
    .insertInto('campaigns')
    .values({
      id: campaignId,
      org_id: orgId,
      client_id: clientId,
      name: options.name ?? `Campaign ${campaignId.slice(-4)}`,
      objective: 'sales',
      status: 'active',
      budget_type: 'daily',
      budget_micros: 50_000_000,
      currency: 'USD',
      start_date: '2026-01-01',
      end_date: null,
      platforms: ['meta'],
    })
    .execute();
  await db
    .insertInto('platform_deployments')
    .values({
      id: deploymentId,
      org_id: orgId,
      campaign_id: campaignId,
      platform: 'meta',
      status: 'live',
      external_id: 'x1',
      last_error: null,
    })
    .execute();
  await db
    .insertInto('ads')
    .values({
      id: adId,
      org_id: orgId,
      campaign_id: campaignId,
      deployment_id: deploymentId,
      platform: 'meta',
      name: 'Ad 1',
      status: 'active',
      ad_copy_id: null,
      external_id: null,
    })
    .execute();
  const days = options.days ?? [{ date: '2026-03-01', spendMicros: 10_000_000, revenueMicros: 30_000_000 }];
  if (days.length > 0) {
    await db
      .insertInto('performance_metrics')
      .values(
        days.map((d) => ({
          org_id: orgId,
          platform: 'meta' as const,
          ad_id: adId,
          date: d.date,
          client_id: clientId,
          campaign_id: campaignId,
          impressions: 1000,
          clicks: 50,
          spend_micros: d.spendMicros,
          conversions: 5,
          revenue_micros: d.revenueMicros,
        })),
      )
      .execute();
  }
  return { id: campaignId, clientId, adId };
}

export async function seedAgency(t: TestApp, name: string): Promise<AgencyWorld> {
  const org = await t.createOrg({ name });
  const clientA = await t.createClient({ orgId: org.id, name: `${name} Client A` });
  const clientB = await t.createClient({ orgId: org.id, name: `${name} Client B` });
  const campaignA = await seedCampaign(t.db, org.id, clientA.id, { name: 'Spring A' });
  const campaignB = await seedCampaign(t.db, org.id, clientB.id, { name: 'Spring B' });
  const users = {} as Record<Role, TestUser>;
  for (const role of ROLES) {
    users[role] = await t.createUser({
      orgId: org.id,
      role,
      clientIds: role === 'client_viewer' ? [clientA.id] : null,
      email: `${role}@${name.toLowerCase().replace(/\W/g, '')}.test`,
    });
  }
  const target = await t.createUser({
    orgId: org.id,
    role: 'analyst',
    email: `target@${name.toLowerCase().replace(/\W/g, '')}.test`,
  });
  return { org, clientA, clientB, campaignA, campaignB, users, target };
}
