import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { seedAgency, type AgencyWorld } from '../../server/tests/helpers/world';
import {
  localRows,
  removeTempDirs,
  startDesktop,
  startTeamServer,
  waitForSynced,
  type Desktop,
  type TeamServer,
} from './sync-harness';

const DAYS = 600;
let server: TeamServer;
let world: AgencyWorld;
const desktops: Desktop[] = [];

/** `days` daily rows for the seeded ad of a campaign, ending yesterday (well inside the 25-month window). */
async function seedDailyMetrics(campaign: AgencyWorld['campaignA'], days: number): Promise<void> {
  await sql`
    INSERT INTO performance_metrics (org_id, platform, ad_id, date, client_id, campaign_id, impressions, clicks,
      spend_micros, conversions, revenue_micros)
    SELECT ${world.org.id}, 'meta', ${campaign.adId}, (current_date - g)::date, ${campaign.clientId}, ${campaign.id},
      1000 + g, 10 + (g % 7), 1000000 * (1 + g % 5), g % 3, 3000000 * (1 + g % 4)
    FROM generate_series(1, ${days}) AS g
    ON CONFLICT DO NOTHING`.execute(server.t.db);
}

beforeAll(async () => {
  server = await startTeamServer();
  world = await seedAgency(server.t, 'Bigco');
  await seedDailyMetrics(world.campaignA, DAYS);
  await seedDailyMetrics(world.campaignB, DAYS);
});

afterAll(async () => {
  for (const desktop of desktops) desktop.close();
  await server.stop();
  removeTempDirs();
});

describe('first sign-in on an agency with history', () => {
  it('shows progress, is usable once the recent days are in, and ends with exactly the server metrics', async () => {
    const desktop = await startDesktop();
    desktops.push(desktop);
    await desktop.signIn(server, world.users.analyst);
    await waitForSynced(desktop, 'the first download');

    const progress = desktop.events
      .filter((e) => e.event === 'sync.status')
      .map((e) => (e.payload as SyncStatus).initialSync)
      .filter((p): p is NonNullable<SyncStatus['initialSync']> => p !== null);
    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['catalog', 'recentMetrics', 'historyMetrics']);
    const firstUsable = progress.findIndex((p) => p.usable);
    expect(firstUsable).toBeGreaterThan(0);
    // Usable comes before the history download finishes, and never during the catalogue.
    expect(progress.slice(firstUsable).some((p) => p.phase === 'historyMetrics')).toBe(true);
    expect(progress.slice(0, firstUsable).every((p) => !p.usable)).toBe(true);
    const history = progress.filter((p) => p.phase === 'historyMetrics');
    expect(history.at(-1)?.done).toBe(history.at(-1)?.total);
    expect((await desktop.handlers['sync.status']({})).initialSync).toBeNull();

    const serverRows = await server.t.db
      .selectFrom('performance_metrics')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('spend_micros').as('spend')])
      .where('org_id', '=', world.org.id)
      .executeTakeFirstOrThrow();
    const local = localRows<{ n: number; spend: number }>(
      desktop,
      'SELECT COUNT(*) AS n, SUM(spend_micros) AS spend FROM metrics_daily',
    )[0];
    expect(local?.n).toBe(Number(serverRows.n));
    expect(local?.spend).toBe(Number(serverRows.spend));
    // The rollups the dashboard reads were rebuilt from the raw rows, exactly.
    const rollup = localRows<{ spend: number }>(
      desktop,
      'SELECT SUM(spend_micros) AS spend FROM rollup_campaign_day',
    )[0];
    expect(rollup?.spend).toBe(Number(serverRows.spend));
  });
});
