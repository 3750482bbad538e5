import { expect, saveScreenshot, test } from './fixtures';
import { CampaignsPage } from './pages/campaigns.page';

const parseNumber = (text: string) => Number(text.replace(/[^\d.-]/g, ''));

test.describe('campaigns', () => {
  test('lists campaigns with the period KPIs on every row', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    await campaigns.open();
    await expect(campaigns.rows).not.toHaveCount(0);
    expect(await campaigns.headers()).toEqual(
      expect.arrayContaining(['Campaign', 'Client', 'Status', 'Spend', 'Revenue', 'ROAS', 'Conv.', 'CPA', 'CTR']),
    );
    await expect(campaigns.pagerStatus).toHaveText(/^1–\d+ of \d+ campaigns$/);
    await expect(campaigns.headerCell('spend')).toHaveAttribute('aria-sort', 'descending');
    // All clients sorted by money ranks within each currency; the page says so, and stops once one client is picked.
    await expect(campaigns.page.getByText('ranked within each currency')).toBeVisible();
    await saveScreenshot(campaigns.page, 'campaigns');
    await campaigns.shell.selectClient('Acme Outdoor');
    await expect(campaigns.page.getByText('ranked within each currency')).toBeHidden();
  });

  test('filters by client, platform, status and free text', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    await campaigns.open();
    const total = parseNumber((await campaigns.pagerStatus.innerText()).split('of')[1] ?? '');

    await campaigns.shell.selectClient('Acme Outdoor');
    await expect.poll(async () => new Set(await campaigns.columnTexts('Client'))).toEqual(new Set(['Acme Outdoor']));

    await campaigns.platformFilter('TikTok').click();
    await expect(campaigns.platformFilter('TikTok')).toHaveAttribute('aria-pressed', 'true');
    await campaigns.waitForRows();
    for (const platforms of await campaigns.columnTexts('Platforms')) expect(platforms).toContain('TikTok');

    await campaigns.statusFilter('Active').click();
    await campaigns.waitForRows();
    await expect.poll(async () => new Set(await campaigns.columnTexts('Status'))).toEqual(new Set(['Active']));
    expect(campaigns.shell.routeQuery().get('platform')).toBe('tiktok');
    expect(campaigns.shell.routeQuery().get('status')).toBe('active');

    await campaigns.page.getByRole('button', { name: 'Clear filters' }).click();
    await campaigns.shell.selectClient('All clients');
    await campaigns.waitForRows();
    await expect(campaigns.pagerStatus).toContainText(`of ${total} campaigns`);

    // Free text is debounced: several keystrokes, one settled filter.
    await campaigns.search.pressSequentially('Serum', { delay: 30 });
    await expect.poll(() => campaigns.shell.routeQuery().get('q')).toBe('Serum');
    await campaigns.waitForRows();
    const names = await campaigns.columnTexts('Campaign');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.toLowerCase()).toContain('serum');
    await saveScreenshot(campaigns.page, 'campaigns-filtered');

    await campaigns.search.fill('no campaign is called this');
    await expect(campaigns.page.getByText('No campaigns match')).toBeVisible();
  });

  test('sorts in core by the clicked column', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    await campaigns.open();

    await campaigns.sortButton('Campaign').click();
    await expect(campaigns.headerCell('name')).toHaveAttribute('aria-sort', 'ascending');
    await campaigns.waitForRows();
    const ascending = await campaigns.columnTexts('Campaign');
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));

    await campaigns.sortButton('Campaign').click();
    await expect(campaigns.headerCell('name')).toHaveAttribute('aria-sort', 'descending');
    await campaigns.waitForRows();
    expect((await campaigns.columnTexts('Campaign'))[0]).toBe(ascending.at(-1));

    // Within one client the currency is the same, so the spend order is visible in the numbers.
    await campaigns.shell.selectClient('Acme Outdoor');
    // A numeric column sorts biggest first when it is picked.
    await campaigns.sortButton('Spend').click();
    await expect(campaigns.headerCell('spend')).toHaveAttribute('aria-sort', 'descending');
    await campaigns.waitForRows();
    const spend = (await campaigns.columnTexts('Spend')).map(parseNumber);
    expect(spend).toEqual([...spend].sort((a, b) => b - a));
    expect(campaigns.shell.routeQuery().get('sort')).toBeNull();

    await campaigns.sortButton('Spend').click();
    await expect(campaigns.headerCell('spend')).toHaveAttribute('aria-sort', 'ascending');
    await campaigns.waitForRows();
    const ascendingSpend = (await campaigns.columnTexts('Spend')).map(parseNumber);
    expect(ascendingSpend).toEqual([...ascendingSpend].sort((a, b) => a - b));
    expect(campaigns.shell.routeQuery().get('sort')).toBe('spend.asc');
  });

  test('the column chooser shows and hides columns and remembers the choice', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    await campaigns.open();
    expect(await campaigns.headers()).not.toContain('Clicks');

    await campaigns.chooseColumn('Clicks', true);
    await campaigns.chooseColumn('ROAS', false);
    expect(await campaigns.headers()).toContain('Clicks');
    expect(await campaigns.headers()).not.toContain('ROAS');

    await campaigns.page.reload();
    await campaigns.waitForRows();
    expect(await campaigns.headers()).toContain('Clicks');
    expect(await campaigns.headers()).not.toContain('ROAS');

    await campaigns.chooseColumn('Clicks', false);
    await campaigns.chooseColumn('ROAS', true);
    expect(await campaigns.headers()).toContain('ROAS');
  });

  test('pages through the list without rendering more than one page of rows', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    await campaigns.open('?size=25');
    await expect(campaigns.rows).toHaveCount(25);
    await expect(campaigns.pagerStatus).toHaveText(/^1–25 of \d+ campaigns$/);
    const firstPage = await campaigns.columnTexts('Campaign');

    await campaigns.pager.getByRole('button', { name: 'Next page' }).click();
    await campaigns.waitForRows();
    await expect(campaigns.pagerStatus).toHaveText(/^26–\d+ of \d+ campaigns$/);
    expect(campaigns.shell.routeQuery().get('page')).toBe('2');
    const secondPage = await campaigns.columnTexts('Campaign');
    expect(secondPage.some((name) => firstPage.includes(name))).toBe(false);

    await campaigns.page.goBack();
    await campaigns.waitForRows();
    await expect(campaigns.pagerStatus).toHaveText(/^1–25 of/);
    await expect(campaigns.pager.getByRole('button', { name: 'Previous page' })).toBeDisabled();
  });
});
