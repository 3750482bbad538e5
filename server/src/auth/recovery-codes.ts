import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford base32 without look-alikes; 16 symbols = 80 bits, so a plain sha256 is a safe way to store them. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** A code like `7k2m-9xqa-3hbd-p0wz`, easy to read out from paper. */
export function generateRecoveryCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** Forgives case, spaces, dashes and the usual look-alikes people type from a printout. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/[o]/g, '0').replace(/[il]/g, '1');
}

export function hashRecoveryCode(input: string): string {
  return createHash('sha256')
    .update(`kiki-recovery:${normalizeRecoveryCode(input)}`, 'utf8')
    .digest('hex');
}
