import { expect, saveScreenshot, test } from './fixtures';
import { AdDetailPage } from './pages/ad-detail.page';
import { CampaignDetailPage } from './pages/campaign-detail.page';

test.describe('empty and error states', () => {
  // The empty cache is a second web host started without --demo; it is browser-only by nature.
  test('an empty cache says there is no data yet and how to get some', async ({ page }) => {
    const emptyUrl = process.env.KIKI_E2E_EMPTY_URL;
    expect(emptyUrl, 'playwright.config.ts sets KIKI_E2E_EMPTY_URL').toBeTruthy();
    await page.goto(`${emptyUrl}#/dashboard`);
    await expect(page.getByRole('heading', { name: 'No data yet' })).toBeVisible();
    await expect(page.getByText('Sign in to your agency')).toBeVisible();
    await saveScreenshot(page, 'dashboard-empty');

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Campaigns' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No data yet' })).toBeVisible();
    await saveScreenshot(page, 'campaigns-empty');
  });

  test('opening the web host without its token explains how to get in', async ({ page, baseURL }) => {
    const origin = new URL(baseURL ?? '').origin;
    await page.goto(`${origin}/#/dashboard`);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Cannot open your data');
    await expect(alert).toContainText('?token=');
    await expect(alert.getByRole('button', { name: 'Retry' })).toBeVisible();
    await saveScreenshot(page, 'app-no-token');
  });

  test('a campaign that does not exist shows what happened and a retry button', async ({ app }) => {
    const campaign = new CampaignDetailPage(app);
    await campaign.open('0190f0a0-0000-7000-8000-00000000dead');
    await expect(campaign.error).toContainText('Could not open this campaign');
    const retry = campaign.error.getByRole('button', { name: 'Retry' });
    await expect(retry).toBeVisible();
    await retry.click();
    await expect(campaign.error.getByRole('button', { name: 'Retry' })).toBeEnabled();
    await expect(campaign.breadcrumbs.getByRole('link', { name: 'Campaigns' })).toBeVisible();
    await saveScreenshot(campaign.page, 'campaign-not-found');
  });

  test('a malformed ad link is refused with a readable message', async ({ app }) => {
    const ad = new AdDetailPage(app);
    await ad.open('not-an-id');
    await expect(ad.error).toContainText('Could not open this ad');
    await expect(ad.error).toContainText(/adId/i);
    await saveScreenshot(ad.page, 'ad-invalid-id');
  });

  test('an unknown route offers the way back', async ({ app }) => {
    await app.open('/no-such-page');
    await expect(app.page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
    await app.page.getByRole('link', { name: 'Go to the dashboard' }).click();
    await expect(app.page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  });
});
