import { z } from 'zod';
import { describeZodError } from '../errors';
import {
  rpcRequestMessageSchema,
  type RpcEventMessage,
  type RpcResponseMessage,
  type RpcServerMessage,
} from './protocol';
import type { RpcDispatch, RpcLogger } from './rpc-dispatcher';

/** The core half of the wire protocol: one instance per connection (WebSocket, MessagePort). */
export interface RpcEndpoint {
  /** Handles one decoded message from the client; resolves once the response has been handed to `send`. */
  receive(message: unknown): Promise<void>;
}

const requestIdSchema = z.object({ id: z.number().int().nonnegative() });

export function createRpcEndpoint(
  dispatch: RpcDispatch,
  send: (message: RpcServerMessage) => void,
  logger: RpcLogger,
): RpcEndpoint {
  const reply = (message: RpcResponseMessage) => {
    try {
      send(message);
    } catch (error) {
      // The client went away mid-call; there is nobody left to tell.
      logger.error({ err: error, id: message.id }, 'Could not deliver an RPC response');
    }
  };

  return {
    async receive(message) {
      const request = rpcRequestMessageSchema.safeParse(message);
      if (!request.success) {
        const withId = requestIdSchema.safeParse(message);
        if (withId.success) {
          reply({
            type: 'response',
            id: withId.data.id,
            result: {
              ok: false,
              error: {
                code: 'VALIDATION_FAILED',
                message: `Malformed RPC request: ${describeZodError(request.error)}`,
              },
            },
          });
        } else {
          logger.error({ issues: request.error.issues }, 'Dropped an RPC message without a request id');
        }
        return;
      }
      const { id, method, params } = request.data;
      reply({ type: 'response', id, result: await dispatch(method, params) });
    },
  };
}

export function rpcEventMessage(event: string, payload: unknown): RpcEventMessage {
  return { type: 'event', event, payload };
}
