import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps implement it: SHA-1, 30-second steps, 6 digits. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Accept one step either side for clock drift between the phone and the server. */
export const TOTP_WINDOW = 1;

export function generateTotpSecret(): string {
  // 160 bits, the HMAC-SHA1 block-friendly size RFC 4226 recommends.
  return new Secret({ size: 20 }).base32;
}

export function totpUri(params: { secretBase32: string; issuer: string; accountName: string }): string {
  return new TOTP({
    issuer: params.issuer,
    label: params.accountName,
    secret: Secret.fromBase32(params.secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

export function generateTotpCode(secretBase32: string, nowMs: number, digits = TOTP_DIGITS): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
  });
}

/**
 * The time step a code belongs to, or null when it matches no step within the window. Callers persist the
 * step and refuse any step at or before the last accepted one, so a code works once.
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number, digits = TOTP_DIGITS): number | null {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: TOTP_WINDOW,
  });
  return delta === null ? null : totpStepAt(nowMs) + delta;
}

/** True when `step` may be used: a newer step than the last accepted one. */
export function isFreshTotpStep(step: number, lastUsedStep: number | null): boolean {
  return lastUsedStep === null || step > lastUsedStep;
}
