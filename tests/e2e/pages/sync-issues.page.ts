import type { Locator, Page } from '@playwright/test';
import type { AppHandle } from '../fixtures';

/** #/sync/issues: conflicts with "Yours" and "Theirs", and changes the server refused. */
export class SyncIssuesPage {
  readonly page: Page;
  readonly heading: Locator;
  readonly issues: Locator;
  readonly empty: Locator;

  constructor(private readonly app: AppHandle) {
    this.page = app.page;
    this.heading = this.page.getByRole('heading', { level: 1, name: 'Sync issues' });
    this.issues = this.page.getByRole('list', { name: 'Sync issues' }).getByRole('listitem');
    this.empty = this.page.getByRole('heading', { name: 'No sync issues' });
  }

  async open(): Promise<void> {
    await this.app.open('/sync/issues');
  }

  issue(summary: string): Locator {
    return this.issues.filter({ has: this.page.getByRole('heading', { name: summary }) });
  }
}
