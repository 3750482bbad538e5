import { toKeychainError, type KeychainOperation } from './keychain-error';
import { createVault, type SecretBackend, type Vault, type VaultLogger } from './vault';

/** The part of keytar the vault uses; tests pass a failing stand-in to simulate a broken keychain. */
export interface Keychain {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** The name users see in their password manager next to every KIKI Desktop entry. */
export const KEYCHAIN_SERVICE = 'KIKI Desktop';

/**
 * An entry the vault keeps so it can tell a locked keychain from an empty one. With a locked Secret Service,
 * libsecret answers a lookup with "not found", a delete with "nothing deleted", and keytar's findCredentials
 * crashes the process (a NULL secret reaches secret_value_get_text). Only creating an item fails cleanly, so
 * the vault checks this entry, and writes it when missing, before trusting an empty answer.
 */
export const LOCK_CHECK_ACCOUNT = 'kiki:keychain-lock-check';
const LOCK_CHECK_VALUE = 'KIKI Desktop keeps this entry to tell a locked keychain from an empty one.';

export interface KeytarVaultOptions {
  /** Defaults to the real keytar, loaded on first use so main starts even where it cannot load. */
  keychain?: Keychain;
  /** Defaults to `KIKI Desktop`; tests use their own so they never touch a developer's real entries. */
  service?: string;
  logger?: VaultLogger;
}

async function loadKeytar(): Promise<Keychain> {
  const keytar = await import('keytar');
  return keytar.default;
}

/** The vault on the OS keychain: macOS Keychain, Windows Credential Manager, or the Secret Service on Linux. */
export function createKeytarVault(options: KeytarVaultOptions = {}): Vault {
  const service = options.service ?? KEYCHAIN_SERVICE;
  let keychain: Promise<Keychain> | undefined = options.keychain ? Promise.resolve(options.keychain) : undefined;

  async function call<T>(operation: KeychainOperation, run: (chain: Keychain) => Promise<T>): Promise<T> {
    keychain ??= loadKeytar();
    try {
      return await run(await keychain);
    } catch (error) {
      throw toKeychainError(error, operation);
    }
  }

  /** Throws when the keychain is locked; creating the check entry is the one call a locked keychain refuses. */
  async function assertUnlocked(operation: KeychainOperation): Promise<void> {
    const check = await call(operation, (chain) => chain.getPassword(service, LOCK_CHECK_ACCOUNT));
    if (check !== null) return;
    await call(operation, (chain) => chain.setPassword(service, LOCK_CHECK_ACCOUNT, LOCK_CHECK_VALUE));
  }

  const backend: SecretBackend = {
    async get(account) {
      const value = await call('read', (chain) => chain.getPassword(service, account));
      if (value !== null) return value;
      await assertUnlocked('read');
      // The check may have prompted the user to unlock, so a first "not found" proves nothing yet.
      return call('read', (chain) => chain.getPassword(service, account));
    },
    async set(account, value) {
      await call('store', (chain) => chain.setPassword(service, account, value));
    },
    async delete(account) {
      if (await call('delete', (chain) => chain.deletePassword(service, account))) return true;
      await assertUnlocked('delete');
      return call('delete', (chain) => chain.deletePassword(service, account));
    },
    async list() {
      await assertUnlocked('list');
      const credentials = await call('list', (chain) => chain.findCredentials(service));
      return credentials.map((credential) => credential.account);
    },
  };
  return createVault(backend, options.logger);
}
