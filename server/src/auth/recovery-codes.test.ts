import { describe, expect, it } from 'vitest';
import { generateRecoveryCode, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';

describe('recovery codes', () => {
  it('look like four groups of four and are all different', () => {
    const codes = Array.from({ length: 200 }, generateRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hash the same however the user types them, and differently from other codes', () => {
    const code = '7k2m-9xqa-3hbd-p0wz';
    expect(normalizeRecoveryCode(' 7K2M 9XQA-3HBD-PoWZ ')).toBe('7k2m9xqa3hbdp0wz');
    expect(hashRecoveryCode(' 7K2M 9XQA-3HBD-PoWZ ')).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode('7k2m-9xqa-3hbd-p0wy')).not.toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
  });
});
