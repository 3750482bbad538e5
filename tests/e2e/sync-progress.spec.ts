import type { Page, WebSocketRoute } from '@playwright/test';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { expect, saveScreenshot, test, useElectron } from './fixtures';
import { SyncHeader } from './pages/sync-header.page';

/*
 * The first download takes seconds against a small seeded server, too quick to look at. These tests sit between
 * the renderer and its web host (Playwright's WebSocket routing), pass every message through, and add the
 * 'sync.status' events a big agency's first sync would send, so each state can be checked and looked at.
 */

test.skip(useElectron, 'routes the web host WebSocket, which the Electron window does not use');

function status(overrides: Partial<SyncStatus>): SyncStatus {
  return {
    connection: 'online',
    syncing: true,
    pendingCount: 0,
    lastSyncedAt: null,
    lastError: null,
    nextRetryAt: null,
    issueCount: 0,
    initialSync: null,
    ...overrides,
  };
}

/** Passes the page's RPC socket through to the real web host and returns a way to add core events. */
async function routeCoreSocket(page: Page): Promise<(status: SyncStatus) => void> {
  let route: WebSocketRoute | null = null;
  await page.routeWebSocket(/\/rpc/, (ws) => {
    route = ws;
    ws.connectToServer();
  });
  return (next) => {
    if (route === null) throw new Error('the page has not opened its RPC socket yet');
    route.send(JSON.stringify({ type: 'event', event: 'sync.status', payload: next }));
  };
}

test('the first sync shows a progress bar, then the dashboard with a slim bar while history arrives', async ({
  app,
}) => {
  const emit = await routeCoreSocket(app.page);
  await app.open('/dashboard');
  const header = new SyncHeader(app.page);
  await expect(app.page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  emit(status({ initialSync: { phase: 'catalog', done: 1_200, total: 5_000, usable: false } }));
  const panel = app.page.getByRole('region', { name: "Getting your agency's data" });
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Downloading campaigns');
  await expect(panel).toContainText('1,200 of 5,000');
  const bar = panel.getByRole('progressbar', { name: 'Downloading campaigns' });
  await expect(bar).toHaveAttribute('value', '1200');
  await expect(bar).toHaveAttribute('max', '5000');
  await expect(app.page.getByRole('heading', { level: 1, name: 'Dashboard' })).toHaveCount(0);
  await saveScreenshot(app.page, 'sync-first-sync-catalog');

  emit(status({ initialSync: { phase: 'recentMetrics', done: 40_000, total: 0, usable: false } }));
  await expect(panel).toContainText('Downloading recent performance');
  await expect(panel).toContainText('40,000 so far');

  emit(status({ initialSync: { phase: 'historyMetrics', done: 310_000, total: 1_000_000, usable: true } }));
  await expect(app.page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const slim = header.firstSyncProgress;
  await expect(slim).toHaveAttribute('value', '310000');
  await expect(app.page.getByText('Downloading history · 310,000 of 1,000,000')).toBeVisible();
  await saveScreenshot(app.page, 'sync-first-sync-usable');

  emit(status({ syncing: false, lastSyncedAt: new Date().toISOString(), initialSync: null }));
  await expect(slim).toHaveCount(0);
  await expect(header.syncedLabel).toHaveText('Synced just now');
});

test('sign-in errors appear beside their fields or in an alert, and the password is not kept', async ({ app }) => {
  await app.open('/sign-in');
  const page = app.page;
  await page.getByLabel('Server address').fill('kiki.agency.test');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText('enter a full address starting with https://')).toBeVisible();
  await expect(page.getByText('enter your email address')).toBeVisible();
  await expect(page.getByText('enter your password')).toBeVisible();
  await expect(page.getByLabel('Server address')).toHaveAttribute('aria-invalid', 'true');
  await saveScreenshot(page, 'sync-sign-in-invalid');

  // Nothing listens on port 9 of the loopback: core answers that it cannot reach the server.
  await page.getByLabel('Server address').fill('http://127.0.0.1:9');
  await page.getByLabel('Email').fill('ana@northwind.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByLabel('Password').press('Enter');
  const alert = page.getByRole('main').getByRole('alert');
  await expect(alert).toContainText('127.0.0.1:9', { timeout: 20_000 });
  await expect(alert).toContainText('Check the address and your network connection');
  await expect(page.getByLabel('Password')).toHaveValue('');
  await saveScreenshot(page, 'sync-sign-in-unreachable');
});

test('offline with changes waiting, an error and open issues fits a narrow window', async ({ app }) => {
  await app.page.setViewportSize({ width: 1024, height: 700 });
  const emit = await routeCoreSocket(app.page);
  await app.open('/campaigns');
  const header = new SyncHeader(app.page);
  await expect(app.page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();

  emit(
    status({
      connection: 'offline',
      syncing: false,
      pendingCount: 3,
      lastSyncedAt: new Date(Date.now() - 5.5 * 60_000).toISOString(),
      nextRetryAt: new Date(Date.now() + 20_000).toISOString(),
      issueCount: 2,
      lastError: {
        code: 'UNAVAILABLE',
        message: "Can't reach kiki.northwind.test. Your changes are kept and will sync when the connection is back.",
      },
    }),
  );
  await expect(header.status).toContainText('Offline');
  await expect(header.status).toContainText('3 changes waiting');
  await expect(header.errorBanner).toContainText(
    "Can't reach kiki.northwind.test. Your changes are kept and will sync when the connection is back.",
  );
  await expect(header.syncedLabel).toContainText('Synced 5 min ago');
  await expect(header.syncedLabel).toContainText(/Retrying in \d+ s/);
  await expect(header.issuesLink).toHaveText('2 sync issues');
  await expect(header.syncNow).toBeEnabled();
  await saveScreenshot(app.page, 'sync-offline-narrow');
});
