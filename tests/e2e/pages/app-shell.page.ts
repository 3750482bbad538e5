import type { Locator, Page } from '@playwright/test';

/** What every page shares: navigation, the client switcher and the period picker in the top bar. */
export class AppShell {
  readonly nav: Locator;
  readonly clientSelect: Locator;
  readonly periodSelect: Locator;
  readonly rangeLabel: Locator;
  readonly skipLink: Locator;
  readonly main: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main navigation' });
    this.clientSelect = page.getByRole('combobox', { name: 'Client' });
    this.periodSelect = page.getByRole('combobox', { name: 'Period' });
    this.rangeLabel = page.locator('.range-label');
    this.skipLink = page.getByRole('link', { name: 'Skip to main content' });
    this.main = page.locator('main#main-content');
  }

  navLink(name: 'Dashboard' | 'Campaigns'): Locator {
    return this.nav.getByRole('link', { name });
  }

  /** Picks a client by the start of its name ("Acme Outdoor"), or "All clients". */
  async selectClient(name: string): Promise<void> {
    if (name === 'All clients') {
      await this.clientSelect.selectOption({ label: 'All clients' });
      return;
    }
    const label = await this.clientSelect.locator('option', { hasText: name }).first().textContent();
    if (label === null) throw new Error(`No client named ${name} in the switcher`);
    await this.clientSelect.selectOption({ label });
  }

  async choosePreset(label: string): Promise<void> {
    await this.periodSelect.selectOption({ label });
  }

  async setCustomRange(from: string, to: string): Promise<void> {
    await this.periodSelect.selectOption({ label: 'Custom range…' });
    const form = this.page.getByRole('form', { name: 'Custom date range' });
    await form.getByLabel('From').fill(from);
    await form.getByLabel('To').fill(to);
    await form.getByRole('button', { name: 'Apply' }).click();
  }

  /** The query part of the hash route (`client=...&range=7d`). */
  routeQuery(): URLSearchParams {
    const hash = new URL(this.page.url()).hash;
    const query = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '';
    return new URLSearchParams(query);
  }

  routePath(): string {
    const hash = new URL(this.page.url()).hash.replace(/^#/, '');
    return hash.split('?')[0] ?? '';
  }
}
