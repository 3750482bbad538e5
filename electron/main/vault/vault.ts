import { z } from 'zod';
import { AppError, describeZodError } from '@kiki/shared/errors';
import { parseVaultKey, vaultKeySchema } from '@kiki/shared/vault/vault-key.schema';

/**
 * Where API credentials and sync tokens live. Keys are namespaced per purpose (see vault-key.schema.ts) and
 * validated; values are never logged, never put in an error, and never leave main except over the narrow
 * channel to core.
 */
export interface Vault {
  /** The secret stored under `key`, or null when there is none. */
  getSecret(key: string): Promise<string | null>;
  /** Stores `value` under `key`, replacing any previous value. */
  setSecret(key: string, value: string): Promise<void>;
  /** Removes the secret under `key`; true when there was one. */
  deleteSecret(key: string): Promise<boolean>;
  /** Every valid key the vault holds, sorted. */
  listKeys(): Promise<string[]>;
}

/** The storage a vault sits on: raw strings in, raw strings out, no validation. */
export interface SecretBackend {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  list(): Promise<string[]>;
}

/** Key names only: a vault log line must be safe to paste into a support ticket. */
export interface VaultLogger {
  info(details: { vaultOperation: string; key: string }, message: string): void;
}

/**
 * Windows' Credential Manager holds at most 2,560 bytes per credential; keeping that limit everywhere means a
 * secret stored on Linux or macOS would also fit on Windows. OAuth refresh and long-lived tokens of Meta,
 * Google Ads and TikTok are well under it.
 */
export const MAX_SECRET_BYTES = 2560;

export const secretValueSchema = z
  .string()
  .min(1, 'a secret cannot be empty (use deleteSecret to remove one)')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_SECRET_BYTES, {
    message: `a secret is at most ${MAX_SECRET_BYTES} bytes in UTF-8 (the Windows Credential Manager limit)`,
  })
  // Keychain APIs take C strings: a NUL would silently cut the secret short.
  .refine((value) => !value.includes('\0'), { message: 'a secret cannot contain a NUL character' })
  // A lone UTF-16 surrogate has no UTF-8 form; the keychain would store a different string than was given.
  .refine((value) => !/\p{Cs}/u.test(value), { message: 'a secret must be valid Unicode text' });

function parseSecretValue(value: unknown): string {
  const parsed = secretValueSchema.safeParse(value);
  // zod's messages above never quote the input, so the secret cannot leak through the error.
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', `Invalid secret: ${describeZodError(parsed.error)}.`);
  return parsed.data;
}

/** Wraps a backend with key and value validation and an audit log of which keys changed. */
export function createVault(backend: SecretBackend, logger?: VaultLogger): Vault {
  return {
    async getSecret(key) {
      parseVaultKey(key);
      return backend.get(key);
    },
    async setSecret(key, value) {
      parseVaultKey(key);
      const secret = parseSecretValue(value);
      await backend.set(key, secret);
      logger?.info({ vaultOperation: 'set', key }, 'Secret stored in the vault');
    },
    async deleteSecret(key) {
      parseVaultKey(key);
      const deleted = await backend.delete(key);
      if (deleted) logger?.info({ vaultOperation: 'delete', key }, 'Secret deleted from the vault');
      return deleted;
    },
    async listKeys() {
      // Entries written by other tools or older versions under our service name are not ours to hand out.
      const accounts = await backend.list();
      return accounts.filter((account) => vaultKeySchema.safeParse(account).success).sort();
    },
  };
}
