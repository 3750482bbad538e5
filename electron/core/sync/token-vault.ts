import { parseVaultKey } from '@kiki/shared/vault/vault-key.schema';
import { AppError } from '@kiki/shared/errors';
import { vaultChannelResponseSchema, type VaultChannelRequest } from '@kiki/shared/rpc/vault-channel-protocol';

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

/** Sends one message to main over core's parentPort. */
export type PostToMain = (message: VaultChannelRequest) => void;

/** A keychain unlock prompt may wait for the user, so this is generous; a dead main never answers at all. */
const VAULT_CHANNEL_TIMEOUT_MS = 120_000;

/**
 * The token vault of a core running in Electron's utility process: each call is a request to main over the
 * vault channel (shared/src/rpc/vault-channel-protocol.ts), answered by main's keychain vault. Feed every
 * 'vault.response' from the parent port to `receive`.
 */
export function createVaultChannelClient(post: PostToMain): TokenVault & {
  receive(message: unknown): void;
  close(): void;
} {
  let nextId = 0;
  const waiting = new Map<
    number,
    { resolve: (value: string | null) => void; reject: (error: unknown) => void; timer: NodeJS.Timeout }
  >();

  async function call(
    request: { op: 'get' | 'delete'; key: string } | { op: 'set'; key: string; value: string },
  ): Promise<string | null> {
    assertSyncTokenKey(request.key);
    const id = nextId++;
    return new Promise<string | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new AppError('UNAVAILABLE', 'The system keychain did not answer. Unlock it, then try again.'));
      }, VAULT_CHANNEL_TIMEOUT_MS);
      waiting.set(id, { resolve, reject, timer });
      post({ ...request, id, type: 'vault.request' });
    });
  }

  return {
    get: (key) => call({ op: 'get', key }),
    set: async (key, value) => {
      await call({ op: 'set', key, value });
    },
    delete: async (key) => {
      await call({ op: 'delete', key });
    },
    receive(message) {
      const parsed = vaultChannelResponseSchema.safeParse(message);
      if (!parsed.success) return;
      const entry = waiting.get(parsed.data.id);
      if (!entry) return;
      waiting.delete(parsed.data.id);
      clearTimeout(entry.timer);
      if (parsed.data.ok) entry.resolve(parsed.data.value);
      else entry.reject(new AppError(parsed.data.error.code, parsed.data.error.message));
    },
    close() {
      for (const entry of waiting.values()) {
        clearTimeout(entry.timer);
        entry.reject(new AppError('UNAVAILABLE', 'KIKI core is shutting down.'));
      }
      waiting.clear();
    },
  };
}
