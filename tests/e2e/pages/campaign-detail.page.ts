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
  readonly editButton: Locator;
  readonly editForm: Locator;
  readonly budget: Locator;
  readonly waitingToSync: Locator;

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
    this.editButton = this.page.getByRole('button', { name: 'Edit campaign' });
    this.editForm = this.page.getByRole('form', { name: /^Edit / });
    this.budget = this.page.getByTestId('campaign-budget');
    this.waitingToSync = this.page.locator('.page-header').getByText('Waiting to sync');
  }

  async open(campaignId: string, query = ''): Promise<void> {
    await this.app.open(`/campaigns/${campaignId}${query}`);
  }

  async waitForData(): Promise<void> {
    await this.ads.or(this.page.getByText('No ads in this campaign yet.')).first().waitFor();
  }

  /** Opens the edit form, fills the given fields and saves with Enter. */
  async edit(fields: { name?: string; status?: string; budget?: string; budgetType?: string; endDate?: string }) {
    await this.editButton.click();
    const form = this.editForm;
    if (fields.status !== undefined) await form.getByLabel('Status').selectOption({ label: fields.status });
    if (fields.budgetType !== undefined)
      await form.getByLabel('Budget type').selectOption({ label: fields.budgetType });
    if (fields.budget !== undefined) await form.getByLabel(/^Budget \(/).fill(fields.budget);
    if (fields.endDate !== undefined) await form.getByLabel('End date').fill(fields.endDate);
    const name = form.getByLabel('Name');
    if (fields.name !== undefined) await name.fill(fields.name);
    await name.press('Enter');
  }

  copyCard(variant: string): Locator {
    return this.copies.filter({ hasText: `Variant ${variant}` });
  }

  /** Edits a copy variant's headline and saves with Enter. */
  async editCopyHeadline(variant: string, headline: string): Promise<void> {
    await this.page.getByRole('button', { name: `Edit copy variant ${variant}` }).click();
    const form = this.page.getByRole('form', { name: `Edit copy variant ${variant}` });
    const field = form.getByLabel('Headline');
    await field.fill(headline);
    await field.press('Enter');
  }

  async openAd(index = 0): Promise<string> {
    const link = this.adLinks.nth(index);
    const name = (await link.innerText()).trim();
    await link.click();
    return name;
  }
}
