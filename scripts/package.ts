import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * electron-builder rebuilds native modules for Electron's ABI in place, inside this repo's node_modules.
 * Node (tests, the web host) needs them built for Node's ABI, so we keep the Node builds aside and put
 * them back afterwards, whatever happens.
 */
const NATIVE_BINARIES = [
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/keytar/build/Release/keytar.node',
];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

function withNodeBinariesPreserved(work: () => void): void {
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

/** Extra electron-builder flags: the update feed is configured per build, never committed. */
export function electronBuilderArgs(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const args = ['--config', 'electron-builder.yml', '--publish', 'never', ...argv];
  const feed = env.KIKI_UPDATE_URL;
  if (feed) {
    const url = new URL(feed);
    if (url.protocol !== 'https:') throw new Error(`KIKI_UPDATE_URL must be an https URL, got ${url.protocol}`);
    args.push('-c.publish.provider=generic', `-c.publish.url=${url.href}`);
  }
  return args;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Targets default to the current OS; pass e.g. `--win nsis`, `--mac`, `--linux AppImage deb`, `--dir`.
  const args = electronBuilderArgs(process.argv.slice(2), process.env);
  run('npx', ['vite', 'build']);
  const built = await buildElectron();
  console.log(`Built ${built.map((file) => path.relative(root, file)).join(', ')}`);
  withNodeBinariesPreserved(() => run(path.join(root, 'node_modules', '.bin', 'electron-builder'), args));
}
