import { rmSync } from 'node:fs';

/** Removes the per-run data directories playwright.config.ts made for the web hosts and the team server. */
export default function globalTeardown(): void {
  for (const name of ['KIKI_E2E_DATA_DIR', 'KIKI_E2E_EMPTY_DATA_DIR', 'KIKI_E2E_SERVER_DIR']) {
    const dir = process.env[name];
    if (dir !== undefined && dir.includes('kiki-e2e-')) rmSync(dir, { recursive: true, force: true });
  }
}
