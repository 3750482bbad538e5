import path from 'node:path';
import { buildElectron } from './build-electron';
import { installElectronBinaries, root, run, withNodeBinariesPreserved } from './native-binaries';

/*
 * `npm start`: builds the renderer and the Electron bundles, swaps in Electron-ABI builds of the native
 * modules for as long as the app runs (npm ci builds them for Node, and we never rebuild on install), and
 * opens the app on a demo agency. Pass `--no-demo` to start on an empty cache.
 */
const demo = !process.argv.includes('--no-demo');
run('npx', ['vite', 'build']);
await buildElectron();
withNodeBinariesPreserved(() => {
  installElectronBinaries();
  run(path.join(root, 'node_modules', '.bin', 'electron'), ['.', ...(demo ? ['--demo'] : [])]);
});
