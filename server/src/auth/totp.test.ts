import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { generateTotpCode, generateTotpSecret, isFreshTotpStep, matchTotpStep, totpStepAt, totpUri } from './totp';

// RFC 6238 Appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890".
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238 test vectors (SHA-1)', () => {
  it.each(RFC_VECTORS)('T=%i gives %s with 8 digits', (seconds, code) => {
    expect(generateTotpCode(RFC_SECRET, seconds * 1000, 8)).toBe(code);
    expect(matchTotpStep(RFC_SECRET, code, seconds * 1000, 8)).toBe(Math.floor(seconds / 30));
  });

  it.each(RFC_VECTORS)('T=%i truncates to the last 6 digits of %s', (seconds, code) => {
    expect(generateTotpCode(RFC_SECRET, seconds * 1000)).toBe(code.slice(-6));
    expect(matchTotpStep(RFC_SECRET, code.slice(-6), seconds * 1000)).toBe(Math.floor(seconds / 30));
  });
});

describe('matchTotpStep', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_015_000;

  it('accepts the codes of one step either side and reports which step matched', () => {
    for (const offset of [-1, 0, 1]) {
      const code = generateTotpCode(secret, now + offset * 30_000);
      expect(matchTotpStep(secret, code, now)).toBe(totpStepAt(now) + offset);
    }
  });

  it('rejects codes two steps away', () => {
    for (const offset of [-2, 2]) {
      const code = generateTotpCode(secret, now + offset * 30_000);
      // A random collision with a nearby step is possible in principle; guard so the test stays deterministic.
      const nearby = [-1, 0, 1].map((o) => generateTotpCode(secret, now + o * 30_000));
      if (nearby.includes(code)) continue;
      expect(matchTotpStep(secret, code, now)).toBeNull();
    }
  });

  it('rejects malformed codes without throwing', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 345', '１２３４５６']) {
      expect(matchTotpStep(secret, code, now)).toBeNull();
    }
  });

  it('a step is fresh only when newer than the last accepted one (replay protection)', () => {
    expect(isFreshTotpStep(10, null)).toBe(true);
    expect(isFreshTotpStep(11, 10)).toBe(true);
    expect(isFreshTotpStep(10, 10)).toBe(false);
    expect(isFreshTotpStep(9, 10)).toBe(false);
  });
});

describe('totpUri', () => {
  it('describes a SHA-1, 6-digit, 30 s token for authenticator apps', () => {
    const secret = generateTotpSecret();
    const uri = new URL(totpUri({ secretBase32: secret, issuer: 'KIKI', accountName: 'ana@agency.test' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('KIKI');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });

  it('makes a different 160-bit secret each time', () => {
    const a = generateTotpSecret();
    expect(a).not.toBe(generateTotpSecret());
    expect(Secret.fromBase32(a).bytes.length).toBe(20);
  });
});
