import { z } from 'zod';
import { appErrorSchema } from '../errors';
import { vaultKeySchema } from '../vault/vault-key.schema';

/**
 * The narrow channel over which core (a utility process that never loads keytar) asks Electron main to keep its
 * team-server refresh token in the OS keychain. It travels on core's `process.parentPort`, so only core can use
 * it, and it accepts sync refresh-token keys only: a compromised renderer has no path to it, and core cannot
 * read connector credentials through it. Values are never logged on either side.
 */
export const syncRefreshKeySchema = z.string().refine((key) => vaultKeySchema.safeParse(key).data?.purpose === 'sync', {
  message: 'only team-server refresh-token keys (sync:<origin>:<user id>:refresh) go over this channel',
});

const requestId = z.number().int().nonnegative().safe();

export const vaultChannelRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ type: z.literal('vault.request'), id: requestId, op: z.literal('get'), key: syncRefreshKeySchema }),
  z.strictObject({
    type: z.literal('vault.request'),
    id: requestId,
    op: z.literal('set'),
    key: syncRefreshKeySchema,
    value: z.string().min(1).max(4096),
  }),
  z.strictObject({
    type: z.literal('vault.request'),
    id: requestId,
    op: z.literal('delete'),
    key: syncRefreshKeySchema,
  }),
]);
export type VaultChannelRequest = z.infer<typeof vaultChannelRequestSchema>;

export const vaultChannelResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    type: z.literal('vault.response'),
    id: requestId,
    ok: z.literal(true),
    value: z.string().nullable(),
  }),
  z.strictObject({ type: z.literal('vault.response'), id: requestId, ok: z.literal(false), error: appErrorSchema }),
]);
export type VaultChannelResponse = z.infer<typeof vaultChannelResponseSchema>;

/** Cheap pre-check so each side routes its messages without parsing every control message twice. */
export function isVaultChannelMessage(message: unknown, type: 'vault.request' | 'vault.response'): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
