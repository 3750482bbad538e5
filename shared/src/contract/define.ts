import type { z } from 'zod';

/** One RPC method: its zod input and output schemas are the single source of its types. */
export interface RpcMethodDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description: string;
}

export function defineMethod<I extends z.ZodType, O extends z.ZodType>(
  definition: RpcMethodDefinition<I, O>,
): RpcMethodDefinition<I, O> {
  return definition;
}

export interface RpcEventDefinition<P extends z.ZodType = z.ZodType> {
  payload: P;
  description: string;
}

export function defineEvent<P extends z.ZodType>(definition: RpcEventDefinition<P>): RpcEventDefinition<P> {
  return definition;
}
