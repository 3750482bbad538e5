import { expect, type Locator, type Page } from '@playwright/test';
import type { AppHandle } from '../fixtures';
import { AppShell } from './app-shell.page';

export type KpiKey = 'spend' | 'revenue' | 'roas' | 'conversions' | 'cpa' | 'ctr';

export class DashboardPage {
  readonly page: Page;
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly subtitle: Locator;
  readonly kpiGroups: Locator;
  readonly granularity: Locator;
  readonly trendPoints: Locator;
  readonly trendCharts: Locator;

  constructor(private readonly app: AppHandle) {
    this.page = app.page;
    this.shell = new AppShell(app.page);
    this.heading = this.page.getByRole('heading', { level: 1, name: 'Dashboard' });
    this.subtitle = this.page.locator('.page-subtitle');
    this.kpiGroups = this.page.locator('section.kpi-group');
    this.granularity = this.page.getByRole('group', { name: 'Group the trend by' });
    this.trendPoints = this.page.getByTestId('trend-points');
    this.trendCharts = this.page.locator('figure.chart');
  }

  async open(query = ''): Promise<void> {
    await this.app.open(`/dashboard${query}`);
    await this.waitForData();
  }

  async waitForData(): Promise<void> {
    await this.heading.waitFor();
    await this.kpiGroups.first().waitFor();
    await this.page
      .locator('[aria-busy="true"]')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
  }

  /** Asserts the KPI groups, in order, one per currency (retrying while the page updates). */
  async expectCurrencies(currencies: readonly string[]): Promise<void> {
    await expect(this.kpiGroups).toHaveCount(currencies.length);
    for (const [i, currency] of currencies.entries()) {
      await expect(this.kpiGroups.nth(i)).toHaveAttribute('data-currency', currency);
    }
  }

  kpiCard(currency: string, kpi: KpiKey): Locator {
    return this.page.locator(`section.kpi-group[data-currency="${currency}"] li[data-kpi="${kpi}"]`);
  }

  kpiValue(currency: string, kpi: KpiKey): Locator {
    return this.kpiCard(currency, kpi).locator('.kpi-value');
  }

  kpiChange(currency: string, kpi: KpiKey): Locator {
    return this.kpiCard(currency, kpi).locator('.kpi-change');
  }

  granularityButton(label: 'Day' | 'Week' | 'Month'): Locator {
    return this.granularity.getByRole('button', { name: label });
  }

  platformTable(currency: string): Locator {
    return this.page.getByRole('table', { name: `Platform breakdown in ${currency}` });
  }
}
