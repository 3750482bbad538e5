import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';

const version = z.number().int().nonnegative().safe();

/**
 * Part-way through a snapshot: the version read before its first page (deltas resume from there), the
 * entity table and last id reached, rows sent so far and the total at the start, and a fingerprint of the
 * readable clients (a grant changing mid-snapshot restarts it, so no table misses a client's rows).
 */
const snapshotCursorSchema = z.strictObject({
  k: z.literal('s'),
  v: version,
  e: z.number().int().min(0).max(64),
  a: z.uuid().nullable(),
  d: z.number().int().nonnegative(),
  t: z.number().int().nonnegative(),
  h: z.string().regex(/^[0-9a-f]{16}$/),
});
/** Caught up to version v: the next pull sends changes after it. */
const deltaCursorSchema = z.strictObject({ k: z.literal('d'), v: version });
const pullCursorSchema = z.discriminatedUnion('k', [snapshotCursorSchema, deltaCursorSchema]);

export type SnapshotCursor = z.infer<typeof snapshotCursorSchema>;
export type DeltaCursor = z.infer<typeof deltaCursorSchema>;
export type PullCursor = z.infer<typeof pullCursorSchema>;

/** Opaque to the device: base64url JSON, small enough for the protocol's 512-character limit. */
export function encodePullCursor(cursor: PullCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodePullCursor(text: string): PullCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (error) {
    throw new AppError(
      'VALIDATION_FAILED',
      'This sync cursor is not one the server issued: pull again with cursor null.',
      {
        reason: error instanceof Error ? error.message : String(error),
      },
    );
  }
  const parsed = pullCursorSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      'This sync cursor is not one the server issued: pull again with cursor null.',
    );
  }
  return parsed.data;
}
