import path from 'node:path';
import { buildElectron } from './build-electron';
import { ensureElectronSqliteBinding, root, run } from './native-binaries';

/*
 * `npm start`: builds the renderer and the Electron bundles and opens the app on a demo agency, with core loading
 * an Electron-ABI SQLite build kept outside node_modules (npm ci builds natives for Node, and we never rebuild on
 * install). Pass `--no-demo` to start on an empty cache.
 */
const demo = !process.argv.includes('--no-demo');
run('npx', ['vite', 'build']);
await buildElectron();
const sqliteBinding = ensureElectronSqliteBinding();
run(path.join(root, 'node_modules', '.bin', 'electron'), ['.', ...(demo ? ['--demo'] : [])], {
  ...process.env,
  KIKI_SQLITE_NATIVE_BINDING: sqliteBinding,
});
