import { describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import { createMemoryVault } from './memory-vault';
import { MAX_SECRET_BYTES } from './vault';
import { connectorCredentialKey, syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';

const syncKey = syncRefreshTokenKey('https://sync.agency.example', '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d');
const metaKey = connectorCredentialKey('meta', 'act_42');

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: { info: (details: object, message: string) => lines.push(JSON.stringify({ ...details, message })) },
  };
}

describe('memory vault (the vault contract every backend shares)', () => {
  it('stores, overwrites, reads, lists and deletes secrets by key', async () => {
    const vault = createMemoryVault();
    expect(await vault.getSecret(metaKey)).toBeNull();
    await vault.setSecret(metaKey, 'first');
    await vault.setSecret(metaKey, 'second');
    await vault.setSecret(syncKey, 'refresh-ü🔑');
    expect(await vault.getSecret(metaKey)).toBe('second');
    expect(await vault.getSecret(syncKey)).toBe('refresh-ü🔑');
    expect(await vault.listKeys()).toEqual([metaKey, syncKey].sort());
    expect(await vault.deleteSecret(metaKey)).toBe(true);
    expect(await vault.deleteSecret(metaKey)).toBe(false);
    expect(await vault.listKeys()).toEqual([syncKey]);
  });

  it('refuses bad keys on every operation and stores nothing', async () => {
    const vault = createMemoryVault();
    for (const call of [
      vault.setSecret('token', 'value'),
      vault.getSecret('connector:meta:'),
      vault.deleteSecret('sync:http://example.com:x:refresh'),
    ]) {
      expect((await rejection(call)).code).toBe('VALIDATION_FAILED');
    }
    expect(await vault.listKeys()).toEqual([]);
  });

  it('refuses values a keychain would mangle, without quoting the value in the error', async () => {
    const vault = createMemoryVault();
    await vault.setSecret(metaKey, 'kept');
    const bad = [
      '',
      'a'.repeat(MAX_SECRET_BYTES + 1),
      'é'.repeat(MAX_SECRET_BYTES / 2 + 1),
      'secret-with\0nul',
      'secret-lone-surrogate-\ud800',
    ];
    for (const value of bad) {
      const error = await rejection(vault.setSecret(metaKey, value));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/^Invalid secret: /);
      if (value.length > 0) expect(JSON.stringify(error.toJSON())).not.toContain(value.slice(0, 12));
    }
    expect(await vault.getSecret(metaKey)).toBe('kept');
    await vault.setSecret(metaKey, 'é'.repeat(MAX_SECRET_BYTES / 2));
  });

  it('logs which key changed, never the value', async () => {
    const { lines, logger } = recordingLogger();
    const vault = createMemoryVault({ logger });
    await vault.setSecret(metaKey, 'EAAB-very-secret-token');
    await vault.getSecret(metaKey);
    await vault.deleteSecret(metaKey);
    await vault.deleteSecret(metaKey);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toContain(metaKey);
    expect(lines.join('\n')).not.toContain('EAAB-very-secret-token');
  });
});
