import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeytarVault, LOCK_CHECK_ACCOUNT } from './keytar-vault';
import { connectorCredentialKey, syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';

// A service of its own per run, so the test never reads or deletes a developer's real KIKI Desktop entries.
const service = `KIKI Desktop test ${randomUUID()}`;
const vault = createKeytarVault({ service });
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const userId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';
const syncKey = syncRefreshTokenKey('https://sync.agency.example', userId);
const metaKey = connectorCredentialKey('meta', 'act_1234567890');
const googleKey = connectorCredentialKey('google_ads', '123-456-7890');

/** Streams a file looking for any of the needles, carrying a tail across chunks so no match is split. */
async function fileContains(file: string, needles: Buffer[]): Promise<boolean> {
  const overlap = Math.max(...needles.map((needle) => needle.length)) - 1;
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    if (needles.some((needle) => window.includes(needle))) return true;
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  return false;
}

/**
 * Files under `dirs` written since `since` that contain `value` (UTF-8 or UTF-16). Only files modified after
 * the secret existed can hold it, which keeps the scan fast even with gigabytes of benchmark databases.
 */
async function filesHoldingSecret(dirs: string[], since: number, value: string) {
  const needles = [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')];
  const skipped = new Set(['node_modules', '.git']);
  const scanned: string[] = [];
  const hits: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      // Other test runs create and delete temporary folders in the repo while this one scans.
      if (error.code === 'ENOENT' || error.code === 'EACCES') return [];
      throw error;
    });
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !skipped.has(entry.name)) await walk(full);
      if (!entry.isFile()) continue;
      // A file another run deletes between listing and reading cannot hold our secret any more.
      const stats = await lstat(full).catch(() => null);
      if (!stats || stats.mtimeMs < since) continue;
      scanned.push(full);
      if (await fileContains(full, needles).catch(() => false)) hits.push(full);
    }
  }
  for (const dir of dirs) await walk(dir);
  return { scanned, hits };
}

beforeAll(async () => {
  try {
    await vault.listKeys();
  } catch (error) {
    throw new Error(
      'The keychain tests need a running, unlocked Secret Service and found none ' +
        `(${error instanceof Error ? error.message : String(error)}). Run them through the wrapper, e.g. ` +
        '"bash scripts/with-keyring.sh npx vitest run --project unit electron/main/vault" (Debian/Ubuntu: ' +
        'sudo apt-get install dbus gnome-keyring).',
      { cause: error },
    );
  }
});

afterAll(async () => {
  const entries = await keytar.findCredentials(service).catch(() => []);
  await Promise.all(entries.map((entry) => keytar.deletePassword(service, entry.account)));
});

describe('keytar vault on the real OS keychain', () => {
  it('round-trips, overwrites and deletes a secret', async () => {
    expect(await vault.getSecret(syncKey)).toBeNull();
    await vault.setSecret(syncKey, 'refresh-token-1');
    expect(await vault.getSecret(syncKey)).toBe('refresh-token-1');
    await vault.setSecret(syncKey, 'refresh-token-2');
    expect(await vault.getSecret(syncKey)).toBe('refresh-token-2');
    expect(await keytar.getPassword(service, syncKey)).toBe('refresh-token-2');
    expect(await vault.deleteSecret(syncKey)).toBe(true);
    expect(await vault.getSecret(syncKey)).toBeNull();
    expect(await vault.deleteSecret(syncKey)).toBe(false);
  });

  it('lists exactly the vault keys it holds, without its lock-check entry', async () => {
    await vault.setSecret(metaKey, 'EAAB-meta');
    await vault.setSecret(googleKey, '1//google-refresh');
    await keytar.setPassword(service, 'written-by-another-tool', 'x');
    expect(await keytar.getPassword(service, LOCK_CHECK_ACCOUNT)).not.toBeNull();
    expect(await vault.listKeys()).toEqual([googleKey, metaKey].sort());
    await vault.deleteSecret(metaKey);
    expect(await vault.listKeys()).toEqual([googleKey]);
  });

  it('keeps unicode and long values intact', async () => {
    const unicode = 'pässwörd 🔑 密钥 ключ ‏עברית‏ \n\t"quoted"';
    await vault.setSecret(metaKey, unicode);
    expect(await vault.getSecret(metaKey)).toBe(unicode);
    const long = `${'€'.repeat(850)}ab`;
    expect(Buffer.byteLength(long)).toBe(2552);
    await vault.setSecret(googleKey, long);
    expect(await vault.getSecret(googleKey)).toBe(long);
  });

  it('writes no secret in clear anywhere on disk under the repo, the app data or the keyring dirs', async () => {
    const since = Date.now() - 1000;
    const secret = `kiki-vault-disk-check-${randomUUID()}`;
    await vault.setSecret(metaKey, secret);
    expect(await vault.getSecret(metaKey)).toBe(secret);

    const control = await mkdtemp(path.join(os.tmpdir(), 'kiki-vault-control-'));
    try {
      // A file that does hold the secret proves the scan would notice one.
      await writeFile(path.join(control, 'leak.txt'), `token=${secret}\n`);
      const dataHome = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
      const keyringDirs = [process.env.KIKI_TEST_KEYRING_DIR, path.join(dataHome, 'keyrings')].filter(
        (dir): dir is string => dir !== undefined,
      );
      const dirs = [repoRoot, path.join(os.homedir(), '.config', 'KIKI Desktop'), ...keyringDirs, control];
      const { scanned, hits } = await filesHoldingSecret(dirs, since, secret);
      expect(hits).toEqual([path.join(control, 'leak.txt')]);
      if (process.env.KIKI_TEST_KEYRING_DIR) {
        // The private keyring did write the secret to disk, encrypted, which is why it was scanned and missed.
        expect(scanned.some((file) => file.endsWith('login.keyring'))).toBe(true);
      }
    } finally {
      await rm(control, { recursive: true, force: true });
    }
  });

  // Locking needs a keyring of its own: the probe runs in a throwaway Secret Service that it may lock.
  it.runIf(process.platform === 'linux')(
    'reports a locked Secret Service keyring on every call instead of "not found", and never crashes listing it',
    async () => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.DBUS_SESSION_BUS_ADDRESS;
      const probe = path.join(repoRoot, 'electron/main/vault/locked-keychain.probe.ts');
      const { stdout } = await promisify(execFile)(
        'bash',
        [path.join(repoRoot, 'scripts/with-keyring.sh'), process.execPath, '--import', 'tsx', probe],
        { cwd: repoRoot, env, timeout: 60_000 },
      );
      const results = JSON.parse(stdout) as Record<string, unknown>;
      expect(results.keytarGet).toBeNull();
      for (const [operation, call] of [
        ['read', 'get'],
        ['delete', 'delete'],
        ['store', 'set'],
        ['list', 'list'],
      ] as const) {
        expect(results[call]).toMatchObject({ code: 'UNAVAILABLE', details: { failure: 'locked', operation } });
      }
    },
    60_000,
  );
});
