import { expect, saveScreenshot, test } from './fixtures';
import { DashboardPage } from './pages/dashboard.page';

test.describe('dashboard', () => {
  test('shows the six KPIs once per currency for All clients, never adding currencies together', async ({ app }) => {
    const dashboard = new DashboardPage(app);
    await dashboard.open();

    await dashboard.expectCurrencies(['EUR', 'JPY', 'USD']);
    for (const currency of ['EUR', 'JPY', 'USD']) {
      for (const kpi of ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr'] as const) {
        await expect(dashboard.kpiValue(currency, kpi)).not.toBeEmpty();
        await expect(dashboard.kpiChange(currency, kpi)).toContainText('vs previous');
      }
    }
    // Headline amounts of 10,000 or more are shown in whole units.
    await expect(dashboard.kpiValue('USD', 'spend')).toHaveText(/^\$[\d,]+(\.\d{2})?$/);
    await expect(dashboard.kpiValue('EUR', 'revenue')).toHaveText(/^€[\d,]+(\.\d{2})?$/);
    await expect(dashboard.kpiValue('USD', 'cpa')).toHaveText(/^\$[\d,]+\.\d{2}$/);
    // Yen has no minor unit.
    await expect(dashboard.kpiValue('JPY', 'spend')).toHaveText(/^¥[\d,]+$/);
    await expect(dashboard.kpiValue('USD', 'roas')).toHaveText(/^\d+\.\d{2}×$/);
    await expect(dashboard.kpiValue('USD', 'ctr')).toHaveText(/%$/);
    await expect(dashboard.page.getByText('Totals are kept per currency')).toBeVisible();

    await expect(dashboard.trendCharts).toHaveCount(3);
    await expect(dashboard.platformTable('USD').locator('tbody tr')).not.toHaveCount(0);
    await saveScreenshot(dashboard.page, 'dashboard-all-clients');
  });

  test('switching to one client shows only its currency and keeps the choice in the URL', async ({ app }) => {
    const dashboard = new DashboardPage(app);
    await dashboard.open();
    const allClientsUsdSpend = await dashboard.kpiValue('USD', 'spend').innerText();

    await dashboard.shell.selectClient('Brennwald Küchen');
    await expect(dashboard.subtitle).toContainText('Brennwald Küchen');
    await dashboard.expectCurrencies(['EUR']);
    expect(dashboard.shell.routeQuery().get('client')).toMatch(/^[0-9a-f-]{36}$/);

    await dashboard.shell.selectClient('Acme Outdoor');
    await dashboard.expectCurrencies(['USD']);
    // Acme is the demo's only USD client: its figures equal the All clients USD group, so nothing in euros or yen
    // was ever added into dollars.
    await expect(dashboard.kpiValue('USD', 'spend')).toHaveText(allClientsUsdSpend);
    await saveScreenshot(dashboard.page, 'dashboard-one-client');

    await dashboard.shell.selectClient('All clients');
    await dashboard.expectCurrencies(['EUR', 'JPY', 'USD']);
  });

  test('date presets and a custom range change the numbers', async ({ app }) => {
    const dashboard = new DashboardPage(app);
    await dashboard.open();
    const spend = dashboard.kpiValue('USD', 'spend');
    const thirtyDays = await spend.innerText();

    await dashboard.shell.choosePreset('Last 7 days');
    await expect(spend).not.toHaveText(thirtyDays);
    const sevenDays = await spend.innerText();
    expect(dashboard.shell.routeQuery().get('range')).toBe('7d');

    await dashboard.shell.choosePreset('Last 90 days');
    await expect(spend).not.toHaveText(sevenDays);

    for (const preset of ['Month to date', 'Last month', 'Quarter to date', 'Year to date']) {
      await dashboard.shell.choosePreset(preset);
      await expect(dashboard.shell.periodSelect).toHaveValue(/.+/);
      await expect(dashboard.kpiValue('USD', 'spend').or(dashboard.page.getByText('No performance'))).toBeVisible();
    }

    const latest = await dashboard.page.locator('.sidebar-footnote').innerText();
    const lastDay = /(\d{4}-\d{2}-\d{2})/.exec(latest)?.[1];
    expect(lastDay).toBeDefined();
    const from = new Date(Date.parse(`${lastDay}T00:00:00Z`) - 13 * 86_400_000).toISOString().slice(0, 10);
    await dashboard.shell.setCustomRange(from, lastDay!);
    expect(dashboard.shell.routeQuery().get('from')).toBe(from);
    expect(dashboard.shell.routeQuery().get('to')).toBe(lastDay);
    await expect(dashboard.trendPoints.first()).toHaveText('14 day points');
    const custom = await spend.innerText();
    expect(custom).not.toBe(sevenDays);

    // The period survives a reload because it lives in the URL.
    await dashboard.page.reload();
    await dashboard.waitForData();
    await expect(dashboard.kpiValue('USD', 'spend')).toHaveText(custom);
  });

  test('a custom range that ends before it starts is refused and changes nothing', async ({ app }) => {
    const dashboard = new DashboardPage(app);
    await dashboard.open('?range=7d');
    const spend = await dashboard.kpiValue('USD', 'spend').innerText();
    await dashboard.shell.setCustomRange('2026-03-10', '2026-03-01');
    await expect(dashboard.page.getByRole('alert')).toHaveText('The start date must be on or before the end date.');
    expect(dashboard.shell.routeQuery().get('range')).toBe('7d');
    expect(dashboard.shell.routeQuery().get('from')).toBeNull();
    await expect(dashboard.kpiValue('USD', 'spend')).toHaveText(spend);
  });

  test('the trend groups by day, week or month', async ({ app }) => {
    const dashboard = new DashboardPage(app);
    await dashboard.open('?range=90d');
    await expect(dashboard.granularityButton('Day')).toHaveAttribute('aria-pressed', 'true');
    await expect(dashboard.trendPoints.first()).toHaveText('90 day points');

    await dashboard.granularityButton('Week').click();
    await expect(dashboard.granularityButton('Week')).toHaveAttribute('aria-pressed', 'true');
    await expect(dashboard.trendPoints.first()).toHaveText(/^1[34] week points$/);

    await dashboard.granularityButton('Month').click();
    await expect(dashboard.trendPoints.first()).toHaveText(/^[34] month points$/);
    expect(dashboard.shell.routeQuery().get('g')).toBe('month');
    await expect(dashboard.trendCharts.first().locator('svg').first()).toBeVisible();
    await saveScreenshot(dashboard.page, 'dashboard-by-month');
  });
});
