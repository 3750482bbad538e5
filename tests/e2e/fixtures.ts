import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron, test as base, type Page } from '@playwright/test';

/** Where the app is driven: a browser against the web host, or the real Electron window. */
export interface AppHandle {
  page: Page;
  /** Opens a route such as `/campaigns?range=7d`. */
  open(route: string): Promise<void>;
}

/** The Electron binary's path when it is installed, otherwise null (our build machines cannot download it). */
function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    // The electron package throws from its entry point when its binary was never downloaded.
    return null;
  }
}

export const useElectron = process.env.KIKI_E2E_ELECTRON === '1' && electronBinary() !== null;

export const test = base.extend<{ app: AppHandle }>({
  app: async ({ page, baseURL }, use) => {
    if (useElectron) {
      const electronApp = await _electron.launch({
        executablePath: electronBinary() ?? undefined,
        args: ['.', '--demo'],
        env: { ...process.env, KIKI_DATA_DIR: process.env.KIKI_E2E_DATA_DIR ?? '' },
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
