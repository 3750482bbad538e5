import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@kiki/shared/errors';

/**
 * AES-256-GCM for small secrets at rest (TOTP seeds). Format `v1.<iv>.<tag>.<ciphertext>`, base64url parts:
 * the version prefix lets a later key or algorithm rotation tell old rows from new ones.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function assertKey(key: Uint8Array): void {
  if (key.length !== 32) {
    throw new AppError('INTERNAL', 'The secret encryption key must be exactly 32 bytes (KIKI_TOTP_KEY, base64).');
  }
}

/** `context` is bound as associated data (e.g. the user id) so a sealed value cannot be moved to another row. */
export function sealSecret(key: Uint8Array, plaintext: string, context = ''): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function openSecret(key: Uint8Array, sealed: string, context = ''): string {
  assertKey(key);
  const parts = sealed.split('.');
  const [version, ivPart, tagPart, dataPart] = parts;
  if (parts.length !== 4 || version !== VERSION || !ivPart || !tagPart || dataPart === undefined) {
    throw new AppError('INTERNAL', 'A stored secret has an unknown format; it cannot be decrypted.');
  }
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new AppError('INTERNAL', 'A stored secret is corrupt; it cannot be decrypted.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(dataPart, 'base64url')), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new AppError(
      'INTERNAL',
      'A stored secret failed authentication: it was altered or KIKI_TOTP_KEY changed since it was written.',
      { cause: cause instanceof Error ? cause.message : String(cause) },
    );
  }
}
