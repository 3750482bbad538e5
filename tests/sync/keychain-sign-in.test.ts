import { randomUUID } from 'node:crypto';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';
import { seedAgency, type AgencyWorld } from '../../server/tests/helpers/world';
import { tokenVaultFrom } from '../../electron/core/sync/token-vault';
import { createKeytarVault } from '../../electron/main/vault/keytar-vault';
import {
  removeTempDirs,
  startDesktop,
  startTeamServer,
  waitForSynced,
  type Desktop,
  type TeamServer,
} from './sync-harness';

// A keychain service of its own per run, so the test never touches a developer's real KIKI Desktop entries.
const service = `KIKI Desktop sync test ${randomUUID()}`;
const keychainVault = createKeytarVault({ service });
let server: TeamServer;
let world: AgencyWorld;
const desktops: Desktop[] = [];

beforeAll(async () => {
  try {
    await keychainVault.listKeys();
  } catch (error) {
    throw new Error(
      'This test needs a running, unlocked Secret Service and found none ' +
        `(${error instanceof Error ? error.message : String(error)}). Run it through the wrapper: ` +
        '"bash scripts/with-keyring.sh npx vitest run --project sync tests/sync/keychain-sign-in.test.ts".',
      { cause: error },
    );
  }
  server = await startTeamServer();
  world = await seedAgency(server.t, 'Keychain Agency');
});

afterAll(async () => {
  for (const desktop of desktops) desktop.close();
  const entries = await keytar.findCredentials(service).catch(() => []);
  await Promise.all(entries.map((entry) => keytar.deletePassword(service, entry.account)));
  await server.stop();
  removeTempDirs();
});

describe('sign-in with the OS keychain', () => {
  it('stores the refresh token in the real Secret Service, resumes from it after a restart and removes it on sign-out', async () => {
    const entries = new Map<string, string>();
    const vault = Object.assign(tokenVaultFrom(keychainVault), { entries });
    const desktop = await startDesktop({ vault });
    desktops.push(desktop);
    const user = world.users.operator;
    await desktop.signIn(server, user);
    await waitForSynced(desktop);

    const key = syncRefreshTokenKey(server.url, user.id);
    const stored = await keytar.getPassword(service, key);
    expect(stored).not.toBeNull();
    expect((stored ?? '').length).toBeGreaterThan(16);

    const restarted = await desktop.restart();
    desktops.push(restarted);
    expect((await restarted.handlers['session.get']({})).state).toBe('signedIn');
    // The restarted core refreshed with the stored token, which rotated it in the keychain.
    await restarted.handlers['sync.now']({});
    expect((await restarted.handlers['sync.status']({})).lastError).toBeNull();
    const rotated = await keytar.getPassword(service, key);
    expect(rotated).not.toBeNull();
    expect(rotated).not.toBe(stored);

    await restarted.handlers['session.signOut']({ discardPending: false });
    expect(await keytar.getPassword(service, key)).toBeNull();
  });
});
