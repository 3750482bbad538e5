import type { Kysely } from 'kysely';
import type { Database } from '../db/database.types';
import { addDays, monthStart } from '../services/calendar-days';
import type { DemoClient } from './demo-catalog';
import { badDaysFor, type ClientDailyTotals } from './demo-metrics';
import type { SeededRandom } from './seeded-random';

export interface OperationsContext {
  db: Kysely<Database>;
  random: SeededRandom;
  organizationId: string;
  nowMs: number;
}

const at = (ctx: OperationsContext, daysAgo: number) => new Date(ctx.nowMs - daysAgo * 86_400_000).toISOString();

/** The agency's people: one of each role, and a client viewer limited to the first client. */
export async function seedTeam(ctx: OperationsContext, clients: DemoClient[]): Promise<Record<string, string>> {
  const people = [
    { role: 'owner', name: 'Maya Chen', email: 'maya@northwind-media.example' },
    { role: 'admin', name: 'Luis Ortega', email: 'luis@northwind-media.example' },
    { role: 'manager', name: 'Jonas Weber', email: 'jonas@northwind-media.example' },
    { role: 'operator', name: 'Priya Raman', email: 'priya@northwind-media.example' },
    { role: 'analyst', name: 'Tom Becker', email: 'tom@northwind-media.example' },
    { role: 'client_viewer', name: 'Alex Client', email: 'alex@acme-outdoor.example' },
  ];
  const ids: Record<string, string> = {};
  for (const person of people) {
    const userId = ctx.random.uuid(ctx.nowMs);
    const membershipId = ctx.random.uuid(ctx.nowMs);
    ids[person.role] = userId;
    await ctx.db
      .insertInto('users')
      .values({
        id: userId,
        organization_id: ctx.organizationId,
        email: person.email,
        display_name: person.name,
        created_at: at(ctx, 700),
        updated_at: at(ctx, 30),
      })
      .execute();
    const limited = person.role === 'client_viewer' && clients[0] !== undefined;
    await ctx.db
      .insertInto('memberships')
      .values({
        id: membershipId,
        organization_id: ctx.organizationId,
        user_id: userId,
        role: person.role,
        scope: limited ? 'clients' : 'org',
        created_at: at(ctx, 700),
      })
      .execute();
    if (limited && clients[0] !== undefined) {
      await ctx.db
        .insertInto('membership_clients')
        .values({ membership_id: membershipId, client_id: clients[0].id })
        .execute();
    }
  }
  return ids;
}

/** Shop-side revenue per day (ads drive part of it) and LTV predictions per monthly cohort. */
export async function seedRevenue(
  ctx: OperationsContext,
  client: DemoClient,
  totals: ClientDailyTotals,
): Promise<void> {
  const { random } = ctx;
  const unit = client.profile.currency === 'JPY' ? 1_000_000 : 10_000;
  const round = (micros: number) => Math.round(micros / unit) * unit;
  const summaries = [...totals.byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, [adRevenue, conversions]]) => {
      const gross = round(adRevenue * random.between(1.4, 1.8));
      const orders = Math.max(conversions, Math.round(gross / 1_000_000 / client.profile.orderValue));
      const newCustomers = Math.round(orders * random.between(0.4, 0.6));
      return {
        client_id: client.id,
        date,
        gross_revenue_micros: gross,
        refunds_micros: round(gross * random.between(0.03, 0.06)),
        orders,
        new_customers: newCustomers,
        returning_customers: orders - newCustomers,
      };
    });
  for (let i = 0; i < summaries.length; i += 500) {
    await ctx.db
      .insertInto('revenue_daily_summaries')
      .values(summaries.slice(i, i + 500))
      .execute();
  }

  const cohorts = new Map<string, number>();
  for (const s of summaries) {
    const month = monthStart(s.date);
    cohorts.set(month, (cohorts.get(month) ?? 0) + s.new_customers);
  }
  const predictions = [...cohorts.entries()].map(([cohort, customers]) => {
    const ltv = round(client.profile.orderValue * random.between(1.6, 2.4) * 1_000_000);
    return {
      id: random.uuid(ctx.nowMs),
      client_id: client.id,
      cohort_month: cohort,
      horizon_days: 365,
      customers,
      predicted_ltv_micros: ltv,
      lower_bound_micros: round(ltv * random.between(0.75, 0.85)),
      upper_bound_micros: round(ltv * random.between(1.15, 1.25)),
      model_version: 'bg-nbd-gamma-gamma-2.3',
      created_at: at(ctx, 1),
    };
  });
  await ctx.db.insertInto('ltv_predictions').values(predictions).execute();
}

/** Budget approvals, A/B experiments, alert rules and the alerts the bad days triggered, plus their audit trail. */
export async function seedWorkflows(
  ctx: OperationsContext,
  clients: DemoClient[],
  users: Record<string, string>,
): Promise<void> {
  const { db, random } = ctx;
  const operator = users.operator ?? '';
  const manager = users.manager ?? '';
  const audit: Database['audit_log'][] = [];
  const decisions = ['pending', 'approved', 'rejected', 'pending'] as const;
  for (const [i, status] of decisions.entries()) {
    const client = clients[i % clients.length];
    const campaign = client?.campaigns[i + 1] ?? client?.campaigns[0];
    if (client === undefined || campaign === undefined) continue;
    const current = Math.round(client.profile.cpc * 500) * 1_000_000;
    const id = random.uuid(ctx.nowMs);
    await db
      .insertInto('approvals')
      .values({
        id,
        client_id: client.id,
        campaign_id: campaign.id,
        kind: 'budget_change',
        status,
        requested_by: operator,
        current_budget_micros: current,
        requested_budget_micros: current * (i + 2),
        reason:
          [
            'Black Friday push: ROAS is above 3 and impression share is capped by budget',
            'Scale the winning video creative',
            'Test broader audiences',
            'Holiday demand is ahead of plan',
          ][i] ?? '',
        decided_by: status === 'pending' ? null : manager,
        decided_at: status === 'pending' ? null : at(ctx, 3 + i),
        decision_note:
          status === 'rejected'
            ? 'CPA is trending up; revisit after the creative refresh.'
            : status === 'approved'
              ? 'Approved for two weeks.'
              : null,
        created_at: at(ctx, 5 + i),
      })
      .execute();
    audit.push({
      id: random.uuid(ctx.nowMs),
      organization_id: ctx.organizationId,
      actor_user_id: operator,
      action: 'approval.requested',
      entity: 'approval',
      entity_id: id,
      details_json: JSON.stringify({ campaignId: campaign.id }),
      created_at: at(ctx, 5 + i),
    });
    if (status !== 'pending') {
      audit.push({
        id: random.uuid(ctx.nowMs),
        organization_id: ctx.organizationId,
        actor_user_id: manager,
        action: `approval.${status}`,
        entity: 'approval',
        entity_id: id,
        details_json: JSON.stringify({ campaignId: campaign.id }),
        created_at: at(ctx, 3 + i),
      });
    }
  }

  for (const [i, client] of clients.slice(0, 3).entries()) {
    const campaign = client.campaigns[0];
    const [a, b] = campaign?.copyIds ?? [];
    if (campaign === undefined || a === undefined || b === undefined) continue;
    await db
      .insertInto('experiments')
      .values({
        id: random.uuid(ctx.nowMs),
        campaign_id: campaign.id,
        name: `Headline test: variant A vs B (${client.profile.name})`,
        status: i === 0 ? 'running' : 'completed',
        primary_metric: ['ctr', 'conversion_rate', 'roas'][i] ?? 'ctr',
        variant_a_copy_id: a,
        variant_b_copy_id: b,
        started_at: at(ctx, 60 - i * 10),
        ended_at: i === 0 ? null : at(ctx, 20),
        created_at: at(ctx, 61 - i * 10),
      })
      .execute();
  }

  const ruleIds = {
    roas: random.uuid(ctx.nowMs),
    spend: random.uuid(ctx.nowMs),
    cpa: random.uuid(ctx.nowMs),
    ctr: random.uuid(ctx.nowMs),
  };
  const first = clients[0];
  await db
    .insertInto('alert_rules')
    .values([
      {
        id: ruleIds.roas,
        organization_id: ctx.organizationId,
        client_id: null,
        campaign_id: null,
        name: 'ROAS below 1.0 on any day',
        metric: 'roas',
        comparator: 'lt',
        threshold: 1,
        window_days: 1,
        enabled: 1,
        created_at: at(ctx, 400),
        updated_at: at(ctx, 400),
      },
      {
        id: ruleIds.spend,
        organization_id: ctx.organizationId,
        client_id: first?.id ?? null,
        campaign_id: null,
        name: 'Daily spend 2x above 7-day average',
        metric: 'spend_vs_average',
        comparator: 'gt',
        threshold: 2,
        window_days: 7,
        enabled: 1,
        created_at: at(ctx, 300),
        updated_at: at(ctx, 300),
      },
      {
        id: ruleIds.cpa,
        organization_id: ctx.organizationId,
        client_id: clients[1]?.id ?? null,
        campaign_id: null,
        name: 'CPA above target',
        metric: 'cpa',
        comparator: 'gt',
        threshold: 60,
        window_days: 7,
        enabled: 1,
        created_at: at(ctx, 200),
        updated_at: at(ctx, 200),
      },
      {
        id: ruleIds.ctr,
        organization_id: ctx.organizationId,
        client_id: null,
        campaign_id: null,
        name: 'CTR dropped below 0.5%',
        metric: 'ctr',
        comparator: 'lt',
        threshold: 0.005,
        window_days: 3,
        enabled: 0,
        created_at: at(ctx, 100),
        updated_at: at(ctx, 50),
      },
    ])
    .execute();

  for (const client of clients.slice(0, 3)) {
    const bad = badDaysFor(client);
    if (bad.spike !== null) {
      await db
        .insertInto('alert_events')
        .values([
          {
            id: random.uuid(ctx.nowMs),
            rule_id: ruleIds.roas,
            client_id: client.id,
            campaign_id: null,
            date: bad.spike,
            observed_value: 0.21,
            message: `${client.profile.name}: ROAS fell to 0.21 on ${bad.spike} while spend tripled. Check landing pages and bids.`,
            triggered_at: `${addDays(bad.spike, 1)}T07:00:00.000Z`,
            acknowledged_at: null,
          },
          {
            id: random.uuid(ctx.nowMs),
            rule_id: ruleIds.spend,
            client_id: client.id,
            campaign_id: null,
            date: bad.spike,
            observed_value: 3.4,
            message: `${client.profile.name}: spend on ${bad.spike} was 3.4x the 7-day average.`,
            triggered_at: `${addDays(bad.spike, 1)}T07:00:00.000Z`,
            acknowledged_at: `${addDays(bad.spike, 1)}T09:30:00.000Z`,
          },
        ])
        .execute();
    }
    if (bad.outage !== null) {
      await db
        .insertInto('alert_events')
        .values({
          id: random.uuid(ctx.nowMs),
          rule_id: ruleIds.roas,
          client_id: client.id,
          campaign_id: null,
          date: bad.outage.date,
          observed_value: 0,
          message: `${client.profile.name}: ${bad.outage.platform} reported no delivery on ${bad.outage.date}.`,
          triggered_at: `${addDays(bad.outage.date, 1)}T07:00:00.000Z`,
          acknowledged_at: `${addDays(bad.outage.date, 1)}T08:10:00.000Z`,
        })
        .execute();
    }
  }

  audit.push({
    id: random.uuid(ctx.nowMs),
    organization_id: ctx.organizationId,
    actor_user_id: users.owner ?? null,
    action: 'demo.loaded',
    entity: 'organization',
    entity_id: ctx.organizationId,
    details_json: JSON.stringify({ clients: clients.length }),
    created_at: at(ctx, 0),
  });
  await db.insertInto('audit_log').values(audit).execute();
}
