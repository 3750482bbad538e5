import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { expect, saveScreenshot, test, useElectron, type AppHandle } from './fixtures';
import { CampaignDetailPage } from './pages/campaign-detail.page';
import { SignInPage } from './pages/sign-in.page';
import { SyncHeader } from './pages/sync-header.page';
import { SyncIssuesPage } from './pages/sync-issues.page';
import { signInAdmin } from './sync/admin-api';
import { SyncHost } from './sync/sync-host';
import type { SyncSeed } from './sync/sync-seed';
import { startTcpProxy, type TcpProxy } from './sync/tcp-proxy';

/*
 * Issue #4's end-to-end proof: two app instances (two web hosts, separate data directories) against one real
 * team server (tests/e2e/sync/team-server.ts, started by playwright.config.ts). Instance A reaches the server
 * through a TCP proxy the spec can cut, which is how it goes offline.
 */

test.skip(useElectron, 'two instances against a team server are driven through web hosts');
test.describe.configure({ mode: 'serial', timeout: 150_000 });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no free port on 127.0.0.1')),
      );
    });
  });
}

function readSeed(): SyncSeed {
  const file = process.env.KIKI_E2E_SYNC_SEED;
  if (file === undefined) throw new Error('playwright.config.ts sets KIKI_E2E_SYNC_SEED');
  return JSON.parse(readFileSync(file, 'utf8')) as SyncSeed;
}

/** A code for the next TOTP step, so two sign-ins of one person never reuse a code (the server refuses replays). */
function totpCode(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

interface Instance {
  host: SyncHost;
  page: Page;
  app: AppHandle;
  header: SyncHeader;
}

async function openInstance(browser: Browser, host: SyncHost): Promise<Instance> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  const app: AppHandle = { page, open: async (route) => void (await page.goto(`${host.url}#${route}`)) };
  return { host, page, app, header: new SyncHeader(page) };
}

async function signIn(
  instance: Instance,
  serverUrl: string,
  user: SyncSeed['users']['ana'],
  options: { screenshots?: string; totpStep?: number } = {},
): Promise<void> {
  const { screenshots, totpStep = 0 } = options;
  await instance.app.open('/dashboard');
  await instance.header.signInLink.click();
  const form = new SignInPage(instance.page);
  await expect(form.heading).toBeVisible();
  await form.fillCredentials(serverUrl, user.email, user.password);
  if (screenshots !== undefined) await saveScreenshot(instance.page, `${screenshots}-credentials`);
  await form.submit.click();
  await expect(form.code).toBeFocused();
  await expect(form.password).toHaveCount(0);
  await form.code.fill(totpCode(user.totpSecret, totpStep));
  if (screenshots !== undefined) await saveScreenshot(instance.page, `${screenshots}-mfa`);
  await form.code.press('Enter');
  await expect(instance.page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible({ timeout: 30_000 });
  await expect(instance.header.status).toContainText('Online', { timeout: 30_000 });
}

const seed = readSeed;
let proxy: TcpProxy;
let a: Instance;
let b: Instance;
let serverUrl: string;

test.beforeAll(async ({ browser }) => {
  const serverPort = Number(process.env.KIKI_E2E_SERVER_PORT);
  const root = process.env.KIKI_E2E_SERVER_DIR;
  const token = process.env.KIKI_E2E_TOKEN;
  if (!Number.isInteger(serverPort) || root === undefined || token === undefined) {
    throw new Error('playwright.config.ts sets KIKI_E2E_SERVER_PORT, KIKI_E2E_SERVER_DIR and KIKI_E2E_TOKEN');
  }
  proxy = await startTcpProxy(serverPort);
  serverUrl = proxy.url;
  const dirFor = (name: string) => {
    const dir = path.join(root, 'hosts', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const hostA = new SyncHost('instance A', dirFor('a'), await freePort(), token);
  // A keeps its refresh token in the OS keychain so it survives A's restart; B is never restarted and keeps its
  // token in memory, so a run on a developer's desktop leaves nothing in their keychain (A signs out at the end).
  const hostB = new SyncHost('instance B', dirFor('b'), await freePort(), token, ['--vault', 'memory']);
  await Promise.all([hostA.start(), hostB.start()]);
  a = await openInstance(browser, hostA);
  b = await openInstance(browser, hostB);
});

test.afterAll(async () => {
  await Promise.all([a?.host.stop('SIGTERM'), b?.host.stop('SIGTERM')]);
  await a?.page.context().close();
  await b?.page.context().close();
  await proxy?.close();
});

test('two teammates sign in with TOTP and see who they are', async () => {
  const { users, orgName } = seed();
  await signIn(a, serverUrl, users.ana, { screenshots: 'sync-sign-in' });
  await expect(a.page.getByRole('heading', { name: 'No data yet' })).toHaveCount(0);
  await saveScreenshot(a.page, 'sync-dashboard-signed-in');

  await a.header.openAccountMenu();
  await expect(a.header.accountPanel).toContainText('ana@northwind.test');
  await expect(a.header.accountPanel).toContainText(orgName);
  await expect(a.header.accountPanel).toContainText('Campaign operator, all clients');
  await saveScreenshot(a.page, 'sync-account-menu');
  await a.page.keyboard.press('Escape');
  await expect(a.header.accountPanel).toHaveCount(0);
  await expect(a.header.accountButton).toBeFocused();

  // Ben reaches the server directly, not through A's proxy.
  await signIn(b, `http://127.0.0.1:${process.env.KIKI_E2E_SERVER_PORT}`, users.ben);
  await expect(b.header.syncedLabel).toContainText('Synced');
});

test('an edit in one instance shows in the other without a click', async () => {
  const { campaigns } = seed();
  const campaignA = new CampaignDetailPage(a.app);
  const campaignB = new CampaignDetailPage(b.app);
  await campaignA.open(campaigns.spring);
  await campaignB.open(campaigns.spring);
  await expect(campaignB.heading).toContainText('Spring Sale');

  await campaignA.edit({ name: 'Spring Sale EU', budget: '62.50' });
  await expect(campaignA.heading).toContainText('Spring Sale EU');
  await expect(campaignA.budget).toHaveText('$62.50 per day');

  // No click, no reload on B: the server pokes B's live socket and B pulls.
  await expect(campaignB.heading).toContainText('Spring Sale EU', { timeout: 10_000 });
  await expect(campaignB.budget).toHaveText('$62.50 per day');
  await expect(a.header.status).not.toContainText('waiting');
  await saveScreenshot(b.page, 'sync-teammate-edit-arrived');
});

test('offline edits survive a restart of the core and sync when the connection is back', async () => {
  const { campaigns } = seed();
  const campaignA = new CampaignDetailPage(a.app);
  const campaignB = new CampaignDetailPage(b.app);
  await campaignA.open(campaigns.spring);
  await campaignB.open(campaigns.spring);

  await proxy.cut();
  await a.header.syncNow.click();
  await expect(a.header.status).toContainText('Offline', { timeout: 15_000 });
  await expect(a.header.errorBanner).toContainText("Can't reach");

  await campaignA.edit({ status: 'Paused', budget: '75.25' });
  await expect(campaignA.budget).toHaveText('$75.25 per day');
  await expect(campaignA.heading).toContainText('Paused');
  await campaignA.editCopyHeadline('A', 'Trails are calling');
  await expect(campaignA.copyCard('A')).toContainText('Trails are calling');
  await expect(a.header.status).toContainText('3 changes waiting');
  await expect(campaignA.waitingToSync).toBeVisible();
  await saveScreenshot(a.page, 'sync-offline-edits-waiting');

  // Kill A's core (no clean shutdown) and start it again on the same data directory, still offline.
  await a.host.stop('SIGKILL');
  await a.host.start();
  await campaignA.open(campaigns.spring);
  await expect(campaignA.budget).toHaveText('$75.25 per day');
  await expect(campaignA.copyCard('A')).toContainText('Trails are calling');
  await expect(a.header.status).toContainText('3 changes waiting');
  await expect(a.header.status).toContainText('Offline', { timeout: 15_000 });
  await saveScreenshot(a.page, 'sync-offline-after-restart');

  // B never saw any of it.
  await expect(campaignB.budget).toHaveText('$62.50 per day');

  await proxy.restore();
  await a.header.syncNow.click();
  await expect(a.header.status).toContainText('Online', { timeout: 30_000 });
  await expect(a.header.status).not.toContainText('waiting', { timeout: 30_000 });
  await expect(campaignA.waitingToSync).toHaveCount(0);
  await expect(a.header.errorBanner).toHaveCount(0);

  await expect(campaignB.budget).toHaveText('$75.25 per day', { timeout: 10_000 });
  await expect(campaignB.heading).toContainText('Paused');
  await expect(campaignB.copyCard('A')).toContainText('Trails are calling');
  await saveScreenshot(b.page, 'sync-offline-edits-arrived');
});

test('two people change one budget: the second sees both values and chooses', async () => {
  const { campaigns } = seed();
  const campaignA = new CampaignDetailPage(a.app);
  const campaignB = new CampaignDetailPage(b.app);
  await campaignA.open(campaigns.trails);
  await campaignB.open(campaigns.trails);
  await expect(campaignA.budget).toHaveText('$50.00 per day');

  await proxy.cut();
  await campaignA.edit({ budget: '60' });
  await expect(campaignA.budget).toHaveText('$60.00 per day');

  await campaignB.edit({ budget: '80' });
  await expect(b.header.status).not.toContainText('waiting', { timeout: 15_000 });

  await proxy.restore();
  await a.header.syncNow.click();
  await expect(a.header.issuesLink).toHaveText('1 sync issue', { timeout: 30_000 });
  // The server's value is back on A until A decides.
  await expect(campaignA.budget).toHaveText('$80.00 per day');
  await saveScreenshot(a.page, 'sync-conflict-badge');

  await a.header.issuesLink.click();
  const issues = new SyncIssuesPage(a.app);
  await expect(issues.heading).toBeVisible();
  const conflict = issues.issues.first();
  await expect(conflict).toContainText('Yours');
  await expect(conflict).toContainText('$60.00');
  await expect(conflict).toContainText('Theirs');
  await expect(conflict).toContainText('$80.00');
  await saveScreenshot(a.page, 'sync-issues-conflict');

  await conflict.getByRole('button', { name: 'Keep mine' }).click();
  await expect(issues.empty).toBeVisible();
  await saveScreenshot(a.page, 'sync-issues-empty');
  await expect(campaignB.budget).toHaveText('$60.00 per day', { timeout: 15_000 });
});

test('signing out with changes waiting asks before discarding them', async () => {
  const { campaigns } = seed();
  const campaignA = new CampaignDetailPage(a.app);
  await campaignA.open(campaigns.trails);
  await proxy.cut();
  await campaignA.edit({ name: 'Winter Trails North' });
  await expect(a.header.status).toContainText('1 change waiting');

  await a.header.openAccountMenu();
  await a.header.accountPanel.getByRole('button', { name: 'Sign out' }).click();
  await expect(a.header.accountPanel.getByRole('alert')).toBeVisible();
  const discard = a.header.accountPanel.getByRole('button', { name: 'Sign out and discard 1 change' });
  await expect(discard).toBeVisible();
  await saveScreenshot(a.page, 'sync-sign-out-pending');
  await discard.click();
  await expect(a.header.signInLink).toBeVisible();
  await expect(a.header.status).toContainText('Signed out');
  await proxy.restore();
});

test('a change the server refuses is rolled back and listed with the reason', async () => {
  const { users, campaigns } = seed();
  // Ana used the current step's code already; the server accepts the next one and refuses replays.
  await signIn(a, serverUrl, users.ana, { totpStep: 1 });
  const campaignA = new CampaignDetailPage(a.app);
  await campaignA.open(campaigns.spring);
  await expect(campaignA.heading).toContainText('Spring Sale EU');

  await proxy.cut();
  await campaignA.edit({ name: 'Spring Sale Outlet' });
  await expect(campaignA.heading).toContainText('Spring Sale Outlet');
  await expect(a.header.status).toContainText('1 change waiting');

  // Meanwhile an admin makes Ana an analyst: she may still read, no longer edit.
  const admin = await signInAdmin(
    `http://127.0.0.1:${process.env.KIKI_E2E_SERVER_PORT}`,
    users.olga,
    totpCode(users.olga.totpSecret),
  );
  await admin.setOnlyRole(users.ana.id, 'analyst');

  await proxy.restore();
  await a.header.syncNow.click();
  await expect(a.header.issuesLink).toHaveText('1 sync issue', { timeout: 30_000 });
  await expect(a.header.status).not.toContainText('waiting');
  await expect(campaignA.heading).toContainText('Spring Sale EU');
  await expect(campaignA.heading).not.toContainText('Outlet');

  await a.header.issuesLink.click();
  const issues = new SyncIssuesPage(a.app);
  const refused = issues.issues.first();
  await expect(refused).toContainText('Refused');
  await expect(refused).toContainText('Why:');
  await expect(refused).toContainText('was undone');
  await saveScreenshot(a.page, 'sync-issues-refused');
  await refused.getByRole('button', { name: 'Dismiss' }).click();
  await expect(issues.empty).toBeVisible();
  await expect(a.header.issuesLink).toHaveCount(0);

  await a.header.openAccountMenu();
  await a.header.accountPanel.getByRole('button', { name: 'Sign out' }).click();
  await expect(a.header.signInLink).toBeVisible();
});
