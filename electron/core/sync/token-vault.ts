import { parseVaultKey } from '@kiki/shared/vault/vault-key.schema';
import { AppError } from '@kiki/shared/errors';

/**
 * Where core keeps a team server's refresh token. In Electron this is main's keychain vault reached over a
 * narrow channel (core never loads keytar itself); in the web host and tests it is a keytar or memory vault
 * in the same process. Only `sync:<origin>:<user>:refresh` keys are ever used here.
 */
export interface TokenVault {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The shape of electron/main/vault's Vault that a TokenVault needs; kept structural so core imports no main code. */
export interface SecretVaultLike {
  getSecret(key: string): Promise<string | null>;
  setSecret(key: string, value: string): Promise<void>;
  deleteSecret(key: string): Promise<boolean>;
}

/** Refuses anything but a sync refresh-token key, so this path can never read a connector credential. */
export function assertSyncTokenKey(key: string): void {
  const parts = parseVaultKey(key);
  if (parts.purpose !== 'sync') {
    throw new AppError('FORBIDDEN', 'Core may only keep team-server sign-in tokens in the vault.');
  }
}

/** Adapts a full vault (keytar or memory) to the token vault core uses, limited to sync keys. */
export function tokenVaultFrom(vault: SecretVaultLike): TokenVault {
  return {
    get(key) {
      assertSyncTokenKey(key);
      return vault.getSecret(key);
    },
    set(key, value) {
      assertSyncTokenKey(key);
      return vault.setSecret(key, value);
    },
    async delete(key) {
      assertSyncTokenKey(key);
      await vault.deleteSecret(key);
    },
  };
}
