import { z } from 'zod';
import { defineEvent, type RpcEventDefinition } from './define';
import { syncRpcEvents } from './sync-contract';

/** Events core pushes to the renderer. */
export const rpcEvents = {
  'data.changed': defineEvent({
    description: 'Rows in the local cache changed (import, sync, edit); views showing these entities refetch.',
    payload: z.object({ entities: z.array(z.string()) }),
  }),
  ...syncRpcEvents,
} satisfies Record<string, RpcEventDefinition>;

export type RpcEvents = typeof rpcEvents;
export type RpcEventName = keyof RpcEvents;
export type RpcEventPayload<E extends RpcEventName> = z.infer<RpcEvents[E]['payload']>;
