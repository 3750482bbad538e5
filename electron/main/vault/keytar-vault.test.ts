import { describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import { toKeychainError } from './keychain-error';
import { createKeytarVault, KEYCHAIN_SERVICE, LOCK_CHECK_ACCOUNT, type Keychain } from './keytar-vault';
import { connectorCredentialKey } from '@kiki/shared/vault/vault-key.schema';

const metaKey = connectorCredentialKey('meta', 'act_42');
const tiktokKey = connectorCredentialKey('tiktok', '7001');

/**
 * Behaves like keytar over libsecret, including what a locked Secret Service does: lookups answer "not
 * found", deletes answer "nothing deleted", only creating an item fails, and findCredentials would crash.
 */
function fakeKeychain() {
  const entries = new Map<string, string>();
  const state = { locked: false, failure: null as string | null, findCalls: 0 };
  const id = (service: string, account: string) => `${service}\u0000${account}`;
  const fail = () => {
    if (state.failure) throw new Error(state.failure);
  };
  const keychain: Keychain = {
    getPassword: (service, account) => {
      fail();
      return Promise.resolve(state.locked ? null : (entries.get(id(service, account)) ?? null));
    },
    setPassword: (service, account, password) => {
      fail();
      if (state.locked) return Promise.reject(new Error('Cannot create an item in a locked collection'));
      entries.set(id(service, account), password);
      return Promise.resolve();
    },
    deletePassword: (service, account) => {
      fail();
      return Promise.resolve(state.locked ? false : entries.delete(id(service, account)));
    },
    findCredentials: (service) => {
      fail();
      state.findCalls += 1;
      if (state.locked) throw new Error('findCredentials on a locked keychain would have crashed the process');
      return Promise.resolve(
        [...entries]
          .filter(([key]) => key.startsWith(`${service}\u0000`))
          .map(([key, password]) => ({ account: key.slice(service.length + 1), password })),
      );
    },
  };
  return { keychain, entries, state };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('keytar vault', () => {
  it('keeps entries under the KIKI Desktop service and lists only valid vault keys', async () => {
    const { keychain, entries } = fakeKeychain();
    const vault = createKeytarVault({ keychain });
    await vault.setSecret(metaKey, 'EAAB-token');
    entries.set(`${KEYCHAIN_SERVICE}\u0000left-by-another-tool`, 'x');
    expect(entries.get(`${KEYCHAIN_SERVICE}\u0000${metaKey}`)).toBe('EAAB-token');
    expect(await vault.getSecret(metaKey)).toBe('EAAB-token');
    expect(await vault.listKeys()).toEqual([metaKey]);
    expect(await vault.getSecret(tiktokKey)).toBeNull();
  });

  it('tells the user to start a Secret Service when there is none', async () => {
    const { keychain, state } = fakeKeychain();
    state.failure = 'Cannot autolaunch D-Bus without X11 $DISPLAY';
    const vault = createKeytarVault({ keychain });
    for (const call of [vault.setSecret(metaKey, 'v'), vault.getSecret(metaKey), vault.listKeys()]) {
      const error = await rejection(call);
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toMatch(/install and start a Secret Service provider \(GNOME Keyring or KWallet\)/);
      expect(error.details).toMatchObject({ failure: 'no_secret_service', cause: state.failure });
    }
  });

  it('reports a locked keychain instead of pretending a secret is missing or deleted', async () => {
    const { keychain, state, entries } = fakeKeychain();
    const vault = createKeytarVault({ keychain });
    await vault.setSecret(metaKey, 'EAAB-token');
    state.locked = true;
    for (const call of [vault.getSecret(metaKey), vault.deleteSecret(metaKey), vault.setSecret(tiktokKey, 'v')]) {
      const error = await rejection(call);
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toMatch(/keychain is locked.*Unlock it/);
      expect(error.details).toMatchObject({ failure: 'locked' });
    }
    expect((await rejection(vault.listKeys())).details).toMatchObject({ failure: 'locked', operation: 'list' });
    expect(state.findCalls).toBe(0);
    state.locked = false;
    expect(entries.get(`${KEYCHAIN_SERVICE}\u0000${metaKey}`)).toBe('EAAB-token');
    expect(await vault.listKeys()).toEqual([metaKey]);
  });

  it('still answers "not found" and "nothing deleted" on an unlocked keychain', async () => {
    const { keychain, entries } = fakeKeychain();
    const vault = createKeytarVault({ keychain });
    expect(await vault.getSecret(metaKey)).toBeNull();
    expect(await vault.deleteSecret(metaKey)).toBe(false);
    expect(entries.has(`${KEYCHAIN_SERVICE}\u0000${LOCK_CHECK_ACCOUNT}`)).toBe(true);
    expect(await vault.listKeys()).toEqual([]);
  });

  it('validates before touching the keychain', async () => {
    const { keychain, entries } = fakeKeychain();
    const vault = createKeytarVault({ keychain });
    expect((await rejection(vault.setSecret('connector:meta:act 1', 'v'))).code).toBe('VALIDATION_FAILED');
    expect((await rejection(vault.setSecret(metaKey, ''))).code).toBe('VALIDATION_FAILED');
    expect(entries.size).toBe(0);
  });
});

describe('toKeychainError', () => {
  it.each([
    ['The name org.freedesktop.secrets was not provided by any .service files', 'no_secret_service'],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'no_default_keyring'],
    ['Cannot create an item in a locked collection', 'locked'],
    ['User interaction is not allowed.', 'locked'],
    ['User canceled the operation.', 'locked'],
    ['Something unexpected', 'failed'],
  ])('maps "%s" to %s with a message that says what to do', (cause, failure) => {
    const error = toKeychainError(new Error(cause), 'store');
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toEqual({ failure, operation: 'store', cause });
    expect(error.message).toMatch(/try again/i);
  });
});
