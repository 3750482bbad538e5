import { z } from 'zod';
import { idSchema } from '../ids';
import { platformSchema, type Platform } from '../domain/platform.schema';
import { AppError, describeZodError } from '../errors';

/**
 * What a vault entry is for. Every key names its purpose, so a listing of the keychain says what each secret
 * unlocks and sign-out can delete exactly one server's tokens without touching connector credentials.
 */
export const syncTokenKeySchema = z.object({
  purpose: z.literal('sync'),
  /** Origin of the team server (scheme, host, port), so one user on two servers keeps two tokens. */
  serverUrl: z.string(),
  userId: idSchema,
  token: z.literal('refresh'),
});

export const connectorKeySchema = z.object({
  purpose: z.literal('connector'),
  platform: platformSchema,
  /** The ad platform's account id: Meta `act_123`, Google Ads `123-456-7890`, TikTok digits. */
  accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use the ad account id: letters, digits, "_" or "-"'),
});

export const vaultKeyPartsSchema = z.discriminatedUnion('purpose', [syncTokenKeySchema, connectorKeySchema]);
export type VaultKeyParts = z.infer<typeof vaultKeyPartsSchema>;

/**
 * Reduces a team server address to its origin. Only https is accepted, except on the loopback address where
 * development and tests run a server without TLS: a refresh token must never travel in clear text.
 */
export function normalizeServerOrigin(serverUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.origin;
}

/** Builds the one canonical key for a purpose, so the same secret can never be stored under two spellings. */
export function formatVaultKey(parts: VaultKeyParts): string {
  switch (parts.purpose) {
    case 'sync':
      return `sync:${parts.serverUrl}:${parts.userId}:${parts.token}`;
    case 'connector':
      return `connector:${parts.platform}:${parts.accountId}`;
  }
}

const syncKeyPattern = /^sync:(.+):([^:]+):([^:]+)$/;
const connectorKeyPattern = /^connector:([^:]+):([^:]+)$/;

/** Reads a key back into its parts; the server URL may itself contain ':' so sync keys are read from the end. */
function splitVaultKey(key: string): Record<string, unknown> | null {
  const sync = syncKeyPattern.exec(key);
  if (sync) return { purpose: 'sync', serverUrl: sync[1], userId: sync[2], token: sync[3] };
  const connector = connectorKeyPattern.exec(key);
  if (connector) return { purpose: 'connector', platform: connector[1], accountId: connector[2] };
  return null;
}

export const MAX_VAULT_KEY_LENGTH = 512;

/**
 * A vault key: `sync:<server origin>:<userId>:refresh` or `connector:<platform>:<accountId>`, in canonical
 * form. Parsing yields the structured parts.
 */
export const vaultKeySchema = z
  .string()
  .max(MAX_VAULT_KEY_LENGTH, `a vault key is at most ${MAX_VAULT_KEY_LENGTH} characters`)
  .transform((key, ctx): VaultKeyParts => {
    const raw = splitVaultKey(key);
    const parsed = raw ? vaultKeyPartsSchema.safeParse(raw) : null;
    if (!parsed?.success) {
      ctx.addIssue({
        code: 'custom',
        message:
          'use "sync:<server origin>:<user id>:refresh" or "connector:<meta|google_ads|tiktok>:<account id>"' +
          (parsed ? ` (${describeZodError(parsed.error)})` : ''),
      });
      return z.NEVER;
    }
    const parts = parsed.data;
    if (parts.purpose === 'sync') {
      const origin = normalizeServerOrigin(parts.serverUrl);
      if (origin !== parts.serverUrl) {
        ctx.addIssue({
          code: 'custom',
          message: origin
            ? `write the server as its origin "${origin}" so one server has one key`
            : 'the server must be an https origin (http only on 127.0.0.1 or localhost)',
        });
        return z.NEVER;
      }
    }
    return parts;
  });

/** Validates a key, throwing an error that says which form is expected; nothing is stored on bad input. */
export function parseVaultKey(key: unknown): VaultKeyParts {
  const parsed = vaultKeySchema.safeParse(key);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', `Invalid vault key: ${describeZodError(parsed.error)}.`);
  }
  return parsed.data;
}

/** The key under which a user's refresh token for a team server is kept; any spelling of the server works. */
export function syncRefreshTokenKey(serverUrl: string, userId: string): string {
  const origin = normalizeServerOrigin(serverUrl) ?? serverUrl;
  const key = formatVaultKey({ purpose: 'sync', serverUrl: origin, userId, token: 'refresh' });
  parseVaultKey(key);
  return key;
}

/** The key under which an ad platform account's credentials are kept. */
export function connectorCredentialKey(platform: Platform, accountId: string): string {
  const key = formatVaultKey({ purpose: 'connector', platform, accountId });
  parseVaultKey(key);
  return key;
}
