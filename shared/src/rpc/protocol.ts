import { z } from 'zod';
import { appErrorSchema } from '../errors';

/**
 * Wire messages shared by every transport (MessagePort in Electron, WebSocket in the web host,
 * in-memory in tests). Only plain JSON crosses.
 */
export const rpcRequestMessageSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  params: z.unknown(),
});
export type RpcRequestMessage = z.infer<typeof rpcRequestMessageSchema>;

export const rpcResponseMessageSchema = z.object({
  type: z.literal('response'),
  id: z.number().int().nonnegative(),
  result: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: z.unknown() }),
    z.object({ ok: z.literal(false), error: appErrorSchema }),
  ]),
});
export type RpcResponseMessage = z.infer<typeof rpcResponseMessageSchema>;

export const rpcEventMessageSchema = z.object({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown(),
});
export type RpcEventMessage = z.infer<typeof rpcEventMessageSchema>;

export const rpcServerMessageSchema = z.discriminatedUnion('type', [rpcResponseMessageSchema, rpcEventMessageSchema]);
export type RpcServerMessage = z.infer<typeof rpcServerMessageSchema>;
