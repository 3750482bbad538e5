import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Native modules as npm ci builds them, for Node's ABI. Node (tests, the web host) needs these builds;
 * Electron needs its own ABI. Whatever swaps in Electron builds puts these back afterwards.
 */
export const NATIVE_MODULES = ['better-sqlite3', 'keytar'] as const;
const NATIVE_BINARIES = [
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/keytar/build/Release/keytar.node',
];

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

export function installedElectronVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Runs `work` and afterwards restores the Node builds of the native modules, whatever happens. */
export function withNodeBinariesPreserved(work: () => void): void {
  const backup = mkdtempSync(path.join(tmpdir(), 'kiki-native-'));
  const saved = NATIVE_BINARIES.filter((file) => existsSync(path.join(root, file)));
  saved.forEach((file, i) => copyFileSync(path.join(root, file), path.join(backup, `${i}.node`)));
  try {
    work();
  } finally {
    saved.forEach((file, i) => {
      // A failed rebuild can leave the build folder deleted, not just the binary replaced.
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      copyFileSync(path.join(backup, `${i}.node`), path.join(root, file));
    });
    rmSync(backup, { recursive: true, force: true });
  }
}

/**
 * Electron-ABI builds of the native modules, compiled once per Electron version into
 * `.data/electron-native/<version>/` (node_modules is put back to its Node builds right after). Unpackaged
 * Electron loads SQLite from there through KIKI_SQLITE_NATIVE_BINDING, so Node (tests, web hosts) and Electron
 * can run side by side. Returns the better-sqlite3 build's path.
 */
export function ensureElectronSqliteBinding(): string {
  const cache = path.join(root, '.data', 'electron-native', installedElectronVersion());
  const cached = NATIVE_BINARIES.map((file) => path.join(cache, path.basename(file)));
  if (!cached.every((file) => existsSync(file))) {
    withNodeBinariesPreserved(() => {
      run(path.join(root, 'node_modules', '.bin', 'electron-rebuild'), [
        '--force',
        '--only',
        NATIVE_MODULES.join(','),
        '--version',
        installedElectronVersion(),
      ]);
      mkdirSync(cache, { recursive: true });
      NATIVE_BINARIES.forEach((file, i) => copyFileSync(path.join(root, file), cached[i] as string));
    });
  }
  return cached[0] as string;
}
