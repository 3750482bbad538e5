import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../../scripts/build-electron';

const root = path.resolve(import.meta.dirname, '..', '..');
// Inside the repo (git-ignored .data) so the bundles resolve better-sqlite3 from node_modules, as in the app.
mkdirSync(path.join(root, '.data'), { recursive: true });
const work = mkdtempSync(path.join(root, '.data', 'bundles-'));
const outDir = path.join(work, 'dist-electron');
const bundle = (file: string) => readFileSync(path.join(outDir, file), 'utf8');

/** Modules a bundle still loads at run time, other than Node's own. */
function runtimeRequires(source: string): string[] {
  const names = [...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
  return (
    [...new Set(names)]
      .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && !name.startsWith('.'))
      .filter((name) => !name.startsWith('ajv/dist/runtime/') && !name.startsWith('ajv-formats/'))
      // ws (core's live sync socket) tries these optional native speed-ups inside try/catch and works without them.
      .filter((name) => name !== 'bufferutil' && name !== 'utf-8-validate')
      .sort()
  );
}

beforeAll(async () => {
  await buildElectron(outDir);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scripts/build-electron.ts bundles', () => {
  it('preload needs nothing but electron (a sandboxed preload can require nothing else)', () => {
    expect(runtimeRequires(bundle('preload/preload.cjs'))).toEqual(['electron']);
  });

  it('core keeps the native better-sqlite3 external and never loads electron', () => {
    expect(runtimeRequires(bundle('core/core-process.cjs'))).toEqual(['better-sqlite3']);
  });

  it('main contains no web host code', () => {
    const main = bundle('main/index.cjs');
    expect(runtimeRequires(main)).toEqual(['electron']);
    expect(main).not.toMatch(/web host\) ready|startWebHost|WebSocketServer/);
  });

  it('the core bundle serves RPC over a port when driven like a utility process', async () => {
    const harness = path.join(work, 'harness.cjs');
    // Stands in for Electron's utilityProcess: parentPort and MessagePortMain emit { data, ports } events.
    writeFileSync(
      harness,
      `const { MessageChannel } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
const parent = new EventEmitter();
const wrap = (p) => ({
  on: (ev, l) => (ev === 'message' ? p.on('message', (data) => l({ data })) : p.on('close', l)),
  postMessage: (m) => p.postMessage(m),
  start: () => p.start(),
  close: () => p.close(),
});
process.parentPort = { on: (ev, l) => parent.on(ev, l), postMessage: (m) => process.send({ toMain: m }) };
require(process.argv[2]);
const { port1, port2 } = new MessageChannel();
parent.emit('message', { data: { type: 'init', dataDir: process.argv[3], appVersion: '9.9.9' }, ports: [] });
parent.emit('message', { data: { type: 'connect' }, ports: [wrap(port1)] });
port2.on('message', (m) => process.send({ fromCore: m }));
port2.postMessage({ type: 'request', id: 1, method: 'app.status', params: {} });
`,
    );
    const child = fork(harness, [path.join(outDir, 'core', 'core-process.cjs'), path.join(work, 'data')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    try {
      const messages: unknown[] = [];
      const response = await new Promise<unknown>((resolve, reject) => {
        child.on('message', (m: { fromCore?: unknown; toMain?: unknown }) => {
          messages.push(m);
          if (m.fromCore) resolve(m.fromCore);
        });
        child.on('exit', (code) => reject(new Error(`core exited with ${code}`)));
      });
      expect(response).toMatchObject({ type: 'response', id: 1, result: { ok: true, value: { appVersion: '9.9.9' } } });
      expect(messages).toContainEqual({ toMain: { type: 'ready' } });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
