import { describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import { connectorCredentialKey, parseVaultKey, syncRefreshTokenKey } from './vault-key.schema';

const userId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';

describe('vault keys', () => {
  it('builds one canonical sync key per server origin, whatever the spelling', () => {
    const key = syncRefreshTokenKey('https://Sync.Agency.example:8443/api/', userId);
    expect(key).toBe(`sync:https://sync.agency.example:8443:${userId}:refresh`);
    expect(syncRefreshTokenKey('https://sync.agency.example:8443', userId)).toBe(key);
    expect(parseVaultKey(key)).toEqual({
      purpose: 'sync',
      serverUrl: 'https://sync.agency.example:8443',
      userId,
      token: 'refresh',
    });
  });

  it('allows plain http only for a server on the loopback address', () => {
    expect(syncRefreshTokenKey('http://127.0.0.1:4000', userId)).toBe(`sync:http://127.0.0.1:4000:${userId}:refresh`);
    expect(() => syncRefreshTokenKey('http://sync.agency.example', userId)).toThrow(/https origin/);
    expect(() => syncRefreshTokenKey('not a url', userId)).toThrow(AppError);
  });

  it('refuses a sync key that is not in canonical form, naming the form to use', () => {
    expect(() => parseVaultKey(`sync:https://sync.agency.example/:${userId}:refresh`)).toThrow(
      /origin "https:\/\/sync.agency.example"/,
    );
    expect(() => parseVaultKey(`sync:https://sync.agency.example:not-a-uuid:refresh`)).toThrow(/userId/);
    expect(() => parseVaultKey(`sync:https://sync.agency.example:${userId}:access`)).toThrow(/token/);
  });

  it('builds and reads connector keys for the three ad platforms', () => {
    expect(connectorCredentialKey('meta', 'act_1234567890')).toBe('connector:meta:act_1234567890');
    expect(parseVaultKey('connector:google_ads:123-456-7890')).toEqual({
      purpose: 'connector',
      platform: 'google_ads',
      accountId: '123-456-7890',
    });
    expect(() => parseVaultKey('connector:snapchat:42')).toThrow(/platform/);
    expect(() => parseVaultKey('connector:meta:act 1')).toThrow(/ad account id/);
  });

  it('refuses keys of no known purpose with a VALIDATION_FAILED error', () => {
    for (const key of ['', 'refresh-token', 'password:me', 'x'.repeat(600), 42, null]) {
      let thrown: unknown;
      try {
        parseVaultKey(key);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe('VALIDATION_FAILED');
      expect((thrown as AppError).message).toMatch(/^Invalid vault key: /);
    }
  });
});
