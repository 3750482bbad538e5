import type { Locator, Page } from '@playwright/test';

/** The header's sync status indicator and account menu, on every page. */
export class SyncHeader {
  readonly status: Locator;
  readonly syncNow: Locator;
  readonly issuesLink: Locator;
  readonly accountButton: Locator;
  readonly accountPanel: Locator;
  readonly signInLink: Locator;
  readonly firstSyncProgress: Locator;
  readonly errorBanner: Locator;

  constructor(readonly page: Page) {
    const header = page.locator('header.topbar');
    this.status = header.getByRole('status', { name: 'Sync status' });
    this.syncNow = header.getByRole('button', { name: 'Sync now' });
    this.issuesLink = header.getByRole('link', { name: /sync issues?$/ });
    this.accountButton = header.locator('.account-button');
    this.accountPanel = page.getByRole('region', { name: 'Your account' });
    this.signInLink = header.getByRole('link', { name: 'Sign in' });
    this.firstSyncProgress = page.getByRole('progressbar');
    this.errorBanner = page.getByRole('status', { name: 'Sync error' });
  }

  /** The line next to the status, e.g. "Synced just now". */
  get syncedLabel(): Locator {
    return this.page.locator('header.topbar .sync-time');
  }

  async openAccountMenu(): Promise<void> {
    if ((await this.accountButton.getAttribute('aria-expanded')) !== 'true') await this.accountButton.click();
  }
}
