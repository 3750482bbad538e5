import { describe, expect, it, vi } from 'vitest';
import type { VaultChannelResponse } from '@kiki/shared/rpc/vault-channel-protocol';
import { connectorCredentialKey, syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';
import { createVaultChannelHandler } from './setup-vault-channel';
import { createMemoryVault } from './vault/memory-vault';
import type { Vault } from './vault/vault';

const userId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';
const key = syncRefreshTokenKey('https://kiki.agency.example', userId);

function channel(vault: Vault = createMemoryVault()) {
  const logger = { warn: vi.fn() };
  const handle = createVaultChannelHandler(vault, logger);
  const ask = (message: unknown) =>
    new Promise<VaultChannelResponse>((resolve) => {
      expect(handle(message, resolve)).toBe(true);
    });
  return { handle, ask, logger, vault };
}

describe('vault channel (main side)', () => {
  it("stores, reads and deletes core's refresh token in the vault", async () => {
    const { ask, vault } = channel();
    expect(await ask({ type: 'vault.request', id: 1, op: 'set', key, value: 'refresh-secret' })).toEqual({
      type: 'vault.response',
      id: 1,
      ok: true,
      value: null,
    });
    expect(await vault.getSecret(key)).toBe('refresh-secret');
    expect(await ask({ type: 'vault.request', id: 2, op: 'get', key })).toMatchObject({
      ok: true,
      value: 'refresh-secret',
    });
    await ask({ type: 'vault.request', id: 3, op: 'delete', key });
    expect(await vault.getSecret(key)).toBeNull();
  });

  it('refuses any key that is not a sync refresh-token key, so core cannot read connector credentials', async () => {
    const vault = createMemoryVault();
    const connectorKey = connectorCredentialKey('meta', 'act_123');
    await vault.setSecret(connectorKey, 'meta-token');
    const { ask, logger } = channel(vault);
    const answer = await ask({ type: 'vault.request', id: 9, op: 'get', key: connectorKey });
    expect(answer).toMatchObject({ id: 9, ok: false, error: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(answer)).not.toContain('meta-token');
    expect(logger.warn).toHaveBeenCalledOnce();
  });

  it('passes a locked keychain on as its error, and never logs the value', async () => {
    const locked: Vault = {
      ...createMemoryVault(),
      setSecret: () => Promise.reject(new Error('Cannot create an item in a locked collection')),
    };
    const { ask, logger } = channel(locked);
    const answer = await ask({ type: 'vault.request', id: 4, op: 'set', key, value: 'refresh-secret' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('refresh-secret');
  });

  it('leaves every other message from core to the caller', () => {
    const { handle } = channel();
    const reply = vi.fn();
    expect(handle({ type: 'ready' }, reply)).toBe(false);
    expect(handle('nonsense', reply)).toBe(false);
    expect(reply).not.toHaveBeenCalled();
  });
});
