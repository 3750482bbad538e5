import { expect, saveScreenshot, test } from './fixtures';
import { AdDetailPage } from './pages/ad-detail.page';
import { CampaignDetailPage } from './pages/campaign-detail.page';
import { CampaignsPage } from './pages/campaigns.page';

test.describe('drill-down', () => {
  test('campaign -> ad -> daily numbers, with the route, breadcrumbs and back/forward in step', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    const campaign = new CampaignDetailPage(app);
    const ad = new AdDetailPage(app);

    await campaigns.open('?range=7d');
    const campaignName = await campaigns.openCampaign(0);
    await expect(campaign.heading).toContainText(campaignName);
    expect(campaign.shell.routePath()).toMatch(/^\/campaigns\/[0-9a-f-]{36}$/);
    // The period travels with the drill-down.
    expect(campaign.shell.routeQuery().get('range')).toBe('7d');
    await campaign.waitForData();
    await expect(campaign.deployments.locator('tbody tr')).not.toHaveCount(0);
    await expect(campaign.copies).not.toHaveCount(0);
    await expect(campaign.page.getByRole('heading', { name: /Image prompts/ })).toBeVisible();
    await expect(campaign.page.getByRole('heading', { name: /Video prompts/ })).toBeVisible();
    await saveScreenshot(campaign.page, 'campaign-detail');

    const adName = await campaign.openAd(0);
    await expect(ad.heading).toContainText(adName);
    expect(ad.shell.routePath()).toMatch(/^\/ads\/[0-9a-f-]{36}$/);
    await ad.waitForData();
    await expect(ad.dailyRows).toHaveCount(7);
    const dates = await ad.dailyDates();
    expect(dates).toEqual([...dates].sort().reverse());
    await expect(ad.chart).toBeVisible();
    await expect(ad.breadcrumbs.getByRole('link', { name: campaignName })).toBeVisible();
    await expect(ad.activeCopy).toHaveCount(1);
    await saveScreenshot(ad.page, 'ad-detail');

    await ad.page.goBack();
    await expect(campaign.heading).toContainText(campaignName);
    await ad.page.goBack();
    await expect(campaigns.heading).toBeVisible();
    await ad.page.goForward();
    await expect(campaign.heading).toContainText(campaignName);
    await ad.page.goForward();
    await expect(ad.heading).toContainText(adName);

    await ad.breadcrumbs.getByRole('link', { name: 'Campaigns' }).click();
    await expect(campaigns.heading).toBeVisible();
    expect(campaigns.shell.routeQuery().get('range')).toBe('7d');
  });

  test('an ad over a long period shows a month of days first and all of them on request', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    const campaign = new CampaignDetailPage(app);
    const ad = new AdDetailPage(app);
    await campaigns.open('?range=90d&status=active');
    await campaigns.openCampaign(0);
    await campaign.waitForData();
    await campaign.openAd(0);
    await ad.waitForData();
    await expect(ad.dailyRows).toHaveCount(31);
    await ad.showAllDays.click();
    await expect(ad.dailyRows).toHaveCount(90);
  });

  test('keyboard only: skip link, Tab into the table, arrows between rows, Enter opens', async ({ app }) => {
    const campaigns = new CampaignsPage(app);
    const campaign = new CampaignDetailPage(app);
    await campaigns.open();
    const page = campaigns.page;

    await page.keyboard.press('Tab');
    await expect(campaigns.shell.skipLink).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(campaigns.shell.main).toBeFocused();

    // From the main region, Tab walks the filters and lands on the first row of the table.
    const firstRow = campaigns.rows.first();
    const firstId = await firstRow.getAttribute('data-campaign-id');
    const focusedCampaignId = () =>
      page.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }
        ).document;
        return doc.activeElement?.getAttribute('data-campaign-id') ?? null;
      });
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if ((await focusedCampaignId()) === firstId) break;
    }
    await expect(firstRow).toBeFocused();
    await expect(firstRow).toHaveCSS('outline-style', 'solid');

    await page.keyboard.press('ArrowDown');
    const secondRow = campaigns.rows.nth(1);
    await expect(secondRow).toBeFocused();
    const name = (await secondRow.locator('td').first().innerText()).trim();
    await page.keyboard.press('Enter');
    await expect(campaign.heading).toContainText(name);

    // The nav links have accessible names and are reachable too.
    await campaigns.shell.navLink('Dashboard').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  });
});
