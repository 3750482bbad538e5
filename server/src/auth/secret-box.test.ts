import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secret-box';

const key = randomBytes(32);

describe('secret-box', () => {
  it('round-trips and never contains the plaintext', () => {
    const sealed = sealSecret(key, 'JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(openSecret(key, sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV every time', () => {
    expect(sealSecret(key, 'same', 'c')).not.toBe(sealSecret(key, 'same', 'c'));
  });

  it('refuses a wrong key, a wrong context and a tampered ciphertext', () => {
    const sealed = sealSecret(key, 'secret', 'user-1');
    expect(() => openSecret(randomBytes(32), sealed, 'user-1')).toThrow(/KIKI_TOTP_KEY/);
    expect(() => openSecret(key, sealed, 'user-2')).toThrow(/altered/);
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3] ?? '', 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => openSecret(key, parts.join('.'), 'user-1')).toThrow(/altered/);
  });

  it('refuses unknown formats and keys of the wrong size', () => {
    expect(() => openSecret(key, 'v2.a.b.c')).toThrow(/unknown format/);
    expect(() => openSecret(key, 'plain')).toThrow(/unknown format/);
    expect(() => sealSecret(randomBytes(16), 'x')).toThrow(/32 bytes/);
  });
});
