import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/*
 * Playwright evaluates this file in the runner and again in every worker. Per-run values (ports, token, data
 * directories) are made once and handed down through the environment, so every process agrees on them.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('Could not find a free port on 127.0.0.1')),
      );
    });
  });
}

async function runValue(name: string, make: () => string | Promise<string>): Promise<string> {
  const existing = process.env[name];
  if (existing !== undefined && existing !== '') return existing;
  const value = await make();
  process.env[name] = value;
  return value;
}

const token = await runValue('KIKI_E2E_TOKEN', () => randomBytes(24).toString('hex'));
const demoPort = Number(await runValue('KIKI_E2E_PORT', async () => String(await freePort())));
const emptyPort = Number(await runValue('KIKI_E2E_EMPTY_PORT', async () => String(await freePort())));
const demoDir = await runValue('KIKI_E2E_DATA_DIR', () => mkdtempSync(path.join(tmpdir(), 'kiki-e2e-demo-')));
const emptyDir = await runValue('KIKI_E2E_EMPTY_DATA_DIR', () => mkdtempSync(path.join(tmpdir(), 'kiki-e2e-empty-')));

// The team server for sync.spec.ts: real server + embedded PostgreSQL under a per-run directory.
const serverPort = Number(await runValue('KIKI_E2E_SERVER_PORT', async () => String(await freePort())));
const serverDir = await runValue('KIKI_E2E_SERVER_DIR', () => mkdtempSync(path.join(tmpdir(), 'kiki-e2e-server-')));
const syncSeed = await runValue('KIKI_E2E_SYNC_SEED', () => path.join(serverDir, 'seed.json'));

/** The empty host's page URL, for the empty-state spec. */
process.env.KIKI_E2E_EMPTY_URL = `http://127.0.0.1:${emptyPort}/?token=${token}`;

const webHost = (port: number, dataDir: string, demo: boolean) => ({
  command: `npx tsx electron/web-host/main.ts --port ${port} --data-dir ${dataDir}${demo ? ' --demo' : ''}`,
  url: `http://127.0.0.1:${port}/`,
  env: { KIKI_WEB_TOKEN: token },
  reuseExistingServer: false,
  // Generating two years of demo metrics takes a while on a small CI machine.
  timeout: 180_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
});

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalTeardown: './tests/e2e/global-teardown.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  // The JSON report feeds the one-line summary CI reads (scripts/test-summary.mjs).
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ['json', { outputFile: 'test-results/playwright.json' }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${demoPort}/?token=${token}`,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    webHost(demoPort, demoDir, true),
    webHost(emptyPort, emptyDir, false),
    {
      command: 'npx tsx tests/e2e/sync/team-server.ts',
      url: `http://127.0.0.1:${serverPort}/healthz`,
      env: {
        KIKI_E2E_SERVER_PORT: String(serverPort),
        KIKI_E2E_SERVER_DIR: path.join(serverDir, 'postgres'),
        KIKI_E2E_SYNC_SEED: syncSeed,
      },
      reuseExistingServer: false,
      // First start initialises a PostgreSQL cluster.
      timeout: 180_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
    },
  ],
});
