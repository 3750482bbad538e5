import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, test as base, type Page } from '@playwright/test';

/** Where the app is driven: a browser against the web host, or the real Electron window. */
export interface AppHandle {
  page: Page;
  /** Opens a route such as `/campaigns?range=7d`. */
  open(route: string): Promise<void>;
}

/**
 * The Electron binary's path when it is installed, otherwise null (our build machines cannot download it). Read from
 * the package's path.txt rather than by requiring `electron`, whose entry point tries to download a missing binary.
 */
function electronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export const useElectron = process.env.KIKI_E2E_ELECTRON === '1' && electronBinary() !== null;

export const test = base.extend<{ app: AppHandle }>({
  app: async ({ page, baseURL }, use, testInfo) => {
    if (useElectron) {
      // Needs `npm run build` first. One profile per worker: the app holds a single-instance lock per profile, and
      // reusing it across a worker's tests generates the demo data once.
      const profile = path.join(
        tmpdir(),
        `kiki-e2e-electron-${process.env.KIKI_E2E_TOKEN?.slice(0, 12) ?? 'run'}-${testInfo.workerIndex}`,
      );
      const electronApp = await _electron.launch({
        executablePath: electronBinary() ?? undefined,
        args: ['.', `--user-data-dir=${profile}`],
        env: { ...process.env, KIKI_DEMO: '1', KIKI_DISABLE_UPDATES: '1' },
      });
      const appWindow = await electronApp.firstWindow();
      await use({
        page: appWindow,
        open: async (route) => {
          await appWindow.evaluate((hash) => {
            (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
          }, route);
        },
      });
      await electronApp.close();
      return;
    }
    if (baseURL === undefined) throw new Error('playwright.config.ts must set use.baseURL to the web host URL');
    await use({
      page,
      open: async (route) => {
        await page.goto(`${baseURL}#${route}`);
      },
    });
  },
});

export { expect } from '@playwright/test';

const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

/** Saves a full-page screenshot for people to look at; the run keeps them in test-results/screenshots. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}
