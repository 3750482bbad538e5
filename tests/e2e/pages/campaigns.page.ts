import type { Locator, Page } from '@playwright/test';
import type { AppHandle } from '../fixtures';
import { AppShell } from './app-shell.page';

export class CampaignsPage {
  readonly page: Page;
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly pager: Locator;
  readonly pagerStatus: Locator;
  readonly columnsButton: Locator;

  constructor(private readonly app: AppHandle) {
    this.page = app.page;
    this.shell = new AppShell(app.page);
    this.heading = this.page.getByRole('heading', { level: 1, name: 'Campaigns' });
    this.table = this.page.getByRole('table', { name: 'Campaigns' });
    this.rows = this.table.locator('tbody tr');
    this.search = this.page.getByRole('searchbox', { name: 'Search campaigns' });
    this.pager = this.page.getByRole('navigation', { name: 'Pages' });
    this.pagerStatus = this.pager.locator('.pager-status');
    this.columnsButton = this.page.locator('.column-chooser > summary');
  }

  async open(query = ''): Promise<void> {
    await this.app.open(`/campaigns${query}`);
    await this.waitForRows();
  }

  /** Waits until the table shows rows for the current filters and no request is running. */
  async waitForRows(): Promise<void> {
    await this.heading.waitFor();
    await this.page.locator('table[aria-label="Campaigns"][aria-busy="false"]').waitFor();
  }

  platformFilter(name: 'Meta' | 'Google Ads' | 'TikTok'): Locator {
    return this.page.getByRole('group', { name: 'Platform' }).getByRole('button', { name });
  }

  statusFilter(name: 'Draft' | 'Active' | 'Paused' | 'Completed' | 'Archived'): Locator {
    return this.page.getByRole('group', { name: 'Status' }).getByRole('button', { name });
  }

  sortButton(header: string): Locator {
    return this.table.locator('thead').getByRole('button', { name: header, exact: true });
  }

  /** A header cell by column id (`name`, `spend`, ...), for its aria-sort. */
  headerCell(columnId: string): Locator {
    return this.table.locator(`thead th[data-column="${columnId}"]`);
  }

  async headers(): Promise<string[]> {
    return (await this.table.locator('thead th').allInnerTexts()).map((t) => t.replace(/[▲▼↕]/g, '').trim());
  }

  /** The texts of one column on the current page, by its header. */
  async columnTexts(header: string): Promise<string[]> {
    const index = (await this.headers()).indexOf(header);
    if (index < 0) throw new Error(`No visible column "${header}"`);
    return this.rows.locator(`td:nth-child(${index + 1})`).allInnerTexts();
  }

  async chooseColumn(label: string, visible: boolean): Promise<void> {
    await this.columnsButton.click();
    await this.page.getByRole('checkbox', { name: label }).setChecked(visible);
    await this.columnsButton.click();
  }

  async openCampaign(index = 0): Promise<string> {
    const row = this.rows.nth(index);
    const name = (await row.locator('td').first().innerText()).trim();
    await row.click();
    return name;
  }
}
