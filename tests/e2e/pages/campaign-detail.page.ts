import type { Locator, Page } from '@playwright/test';
import type { AppHandle } from '../fixtures';
import { AppShell } from './app-shell.page';

export class CampaignDetailPage {
  readonly page: Page;
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly deployments: Locator;
  readonly ads: Locator;
  readonly adLinks: Locator;
  readonly breadcrumbs: Locator;
  readonly copies: Locator;
  readonly error: Locator;

  constructor(private readonly app: AppHandle) {
    this.page = app.page;
    this.shell = new AppShell(app.page);
    this.heading = this.page.getByRole('heading', { level: 1 });
    this.deployments = this.page.getByRole('table', { name: 'Platform deployments' });
    this.ads = this.page.getByRole('table', { name: 'Ads' });
    this.adLinks = this.ads.getByRole('link');
    this.breadcrumbs = this.page.getByRole('navigation', { name: 'Breadcrumb' });
    this.copies = this.page.locator('.copy-card');
    this.error = this.page.getByRole('alert');
  }

  async open(campaignId: string, query = ''): Promise<void> {
    await this.app.open(`/campaigns/${campaignId}${query}`);
  }

  async waitForData(): Promise<void> {
    await this.ads.or(this.page.getByText('No ads in this campaign yet.')).first().waitFor();
  }

  async openAd(index = 0): Promise<string> {
    const link = this.adLinks.nth(index);
    const name = (await link.innerText()).trim();
    await link.click();
    return name;
  }
}
