import type { Locator, Page } from '@playwright/test';
import type { AppHandle } from '../fixtures';
import { AppShell } from './app-shell.page';

export class AdDetailPage {
  readonly page: Page;
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly daily: Locator;
  readonly dailyRows: Locator;
  readonly chart: Locator;
  readonly breadcrumbs: Locator;
  readonly activeCopy: Locator;
  readonly showAllDays: Locator;
  readonly error: Locator;

  constructor(private readonly app: AppHandle) {
    this.page = app.page;
    this.shell = new AppShell(app.page);
    this.heading = this.page.getByRole('heading', { level: 1 });
    this.daily = this.page.getByRole('table', { name: 'Daily performance' });
    this.dailyRows = this.daily.locator('tbody tr');
    this.chart = this.page.locator('figure.chart svg').first();
    this.breadcrumbs = this.page.getByRole('navigation', { name: 'Breadcrumb' });
    this.activeCopy = this.page.locator('.copy-card-active');
    this.showAllDays = this.page.getByRole('button', { name: /^Show all .* days$/ });
    this.error = this.page.getByRole('alert');
  }

  async open(adId: string, query = ''): Promise<void> {
    await this.app.open(`/ads/${adId}${query}`);
  }

  async waitForData(): Promise<void> {
    await this.daily.or(this.page.getByText('No metrics in this period')).first().waitFor();
  }

  async dailyDates(): Promise<string[]> {
    return this.dailyRows.locator('th').allInnerTexts();
  }
}
