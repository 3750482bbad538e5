import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildElectron } from './build-electron';
import { ensureElectronSqliteBinding, root, run } from './native-binaries';

/*
 * `npm run test:e2e:electron`, on machines that have Electron's binary: the same Playwright specs and page models
 * as `npm run test:e2e`, driven in the real Electron window. The web hosts Playwright also starts keep the Node
 * build of SQLite; Electron's core loads its own build through KIKI_SQLITE_NATIVE_BINDING.
 */
// Without the binary the fixture would quietly drive the browser instead; say so and stop.
if (!existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))) {
  console.error(
    "Electron's binary is not installed, so there is no Electron to test. Install it with `npm ci` (without " +
      'ELECTRON_SKIP_BINARY_DOWNLOAD), or run the same specs in Chromium with `npm run test:e2e`.',
  );
  process.exit(1);
}
run('npx', ['vite', 'build']);
await buildElectron();
const sqliteBinding = ensureElectronSqliteBinding();
run(path.join(root, 'node_modules', '.bin', 'playwright'), ['test', ...process.argv.slice(2)], {
  ...process.env,
  KIKI_E2E_ELECTRON: '1',
  KIKI_SQLITE_NATIVE_BINDING: sqliteBinding,
});
