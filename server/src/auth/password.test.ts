import { describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import { assertPasswordPolicy, hashPassword, passwordNeedsRehash, verifyPassword } from './password';

describe('password hashing', () => {
  it('uses argon2id with the OWASP parameters m=19456 KiB, t=2, p=1', async () => {
    const hash = await hashPassword('correct horse battery');
    const [, algorithm, version, params] = hash.split('$');
    expect(algorithm).toBe('argon2id');
    expect(version).toBe('v=19');
    expect(Object.fromEntries((params ?? '').split(',').map((kv) => kv.split('=')))).toEqual({
      m: '19456',
      t: '2',
      p: '1',
    });
    expect(passwordNeedsRehash(hash)).toBe(false);
  });

  it('verifies the right password and rejects a wrong one or a garbage hash', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'correct horse battery')).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('correct horse battery')).not.toBe(await hashPassword('correct horse battery'));
  });

  it('flags hashes made with weaker parameters for rehash', () => {
    const weak = '$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$5PvqXYLm0bUO8mzVcOBfr8M1R6FRMiMBqeBpuBYfB0k';
    expect(passwordNeedsRehash(weak)).toBe(true);
  });
});

describe('assertPasswordPolicy', () => {
  it('requires at least 12 and at most 256 characters', () => {
    expect(() => assertPasswordPolicy('a'.repeat(11))).toThrow(/at least 12/);
    expect(() => assertPasswordPolicy('a'.repeat(257))).toThrow(/at most 256/);
    expect(() => assertPasswordPolicy(' '.repeat(12))).toThrow(/spaces/);
    expect(() => assertPasswordPolicy('a'.repeat(12))).not.toThrow();
  });

  it('counts characters, not UTF-16 units, and fails with VALIDATION_FAILED', () => {
    expect(() => assertPasswordPolicy('😀'.repeat(12))).not.toThrow();
    try {
      assertPasswordPolicy('short');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
    }
  });

  it('hashPassword enforces the policy before hashing', async () => {
    await expect(hashPassword('short')).rejects.toThrow(/at least 12/);
  });
});
