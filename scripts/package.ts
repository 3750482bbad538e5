import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron';
import { root, run, withNodeBinariesPreserved } from './native-binaries';

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
