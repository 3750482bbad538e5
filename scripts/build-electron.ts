import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = path.join(root, 'dist-electron');

/**
 * Native modules are loaded from node_modules at run time (unpacked from the asar), and `electron` is
 * provided by the runtime; everything else is bundled so the package does not depend on how npm laid
 * out node_modules.
 */
const EXTERNAL = ['electron', 'better-sqlite3', 'keytar'];

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  // Electron 45 ships Node 22.
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  external: EXTERNAL,
  logLevel: 'warning',
  absWorkingDir: root,
  tsconfig: path.join(root, 'tsconfig.node.json'),
};

export const ELECTRON_ENTRIES = {
  main: { in: 'electron/main/index.ts', out: 'main/index.cjs' },
  preload: { in: 'electron/preload/preload.ts', out: 'preload/preload.cjs' },
  core: { in: 'electron/core/core-process.ts', out: 'core/core-process.cjs' },
} as const;

export async function buildElectron(outDir: string = DEFAULT_OUT_DIR): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true });
  const built: string[] = [];
  for (const [name, entry] of Object.entries(ELECTRON_ENTRIES)) {
    const outfile = path.join(outDir, entry.out);
    await build({
      ...common,
      entryPoints: [path.join(root, entry.in)],
      outfile,
      // A sandboxed preload may require only `electron`: nothing else can be left external there.
      ...(name === 'preload' ? { external: ['electron'] } : {}),
    });
    built.push(outfile);
  }
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildElectron();
  console.log(`Built ${built.map((file) => path.relative(root, file)).join(', ')}`);
}
