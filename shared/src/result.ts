import { z } from 'zod';
import { appErrorSchema, type AppErrorShape } from './errors';

/** The envelope every RPC call and every sync response resolves to. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(error: AppErrorShape): Result<never> {
  return { ok: false, error };
}

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: appErrorSchema }),
  ]);
}
