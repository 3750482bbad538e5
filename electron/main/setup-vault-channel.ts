import { AppError, describeZodError, type AppErrorShape } from '@kiki/shared/errors';
import {
  isVaultChannelMessage,
  vaultChannelRequestSchema,
  type VaultChannelResponse,
} from '@kiki/shared/rpc/vault-channel-protocol';
import type { Vault } from './vault/vault';

interface ChannelLogger {
  warn(details: object, message: string): void;
}

/**
 * Main's end of the vault channel: answers core's keychain requests for its team-server refresh token. Wired only
 * to the core utility process's own message stream (never to a renderer), it refuses any key that is not a sync
 * refresh-token key, and never logs a value.
 *
 * Returns a handler for core's messages: true when the message was a vault request (answered via `reply`).
 */
export function createVaultChannelHandler(
  vault: Vault,
  logger: ChannelLogger,
): (message: unknown, reply: (response: VaultChannelResponse) => void) => boolean {
  return (message, reply) => {
    if (!isVaultChannelMessage(message, 'vault.request')) return false;
    const id = (message as { id?: unknown }).id;
    const parsed = vaultChannelRequestSchema.safeParse(message);
    if (!parsed.success) {
      // The issues name fields and rules only; zod does not echo a refused value here, but the key is safe to log.
      logger.warn({ issues: describeZodError(parsed.error) }, 'Refused a malformed vault request from core');
      if (typeof id === 'number') {
        reply({
          type: 'vault.response',
          id,
          ok: false,
          error: { code: 'FORBIDDEN', message: `Refused vault request: ${describeZodError(parsed.error)}.` },
        });
      }
      return true;
    }
    const request = parsed.data;
    const run = async (): Promise<string | null> => {
      switch (request.op) {
        case 'get':
          return vault.getSecret(request.key);
        case 'set':
          await vault.setSecret(request.key, request.value);
          return null;
        case 'delete':
          await vault.deleteSecret(request.key);
          return null;
      }
    };
    run().then(
      (value) => reply({ type: 'vault.response', id: request.id, ok: true, value }),
      (error: unknown) => {
        const shape: AppErrorShape =
          error instanceof AppError
            ? { code: error.code, message: error.message }
            : { code: 'UNAVAILABLE', message: 'The system keychain failed; try again.' };
        logger.warn({ op: request.op, key: request.key, code: shape.code }, 'Vault request from core failed');
        reply({ type: 'vault.response', id: request.id, ok: false, error: shape });
      },
    );
    return true;
  };
}
