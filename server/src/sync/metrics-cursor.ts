import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { isoDateSchema } from '@kiki/shared/dates';
import { platformSchema } from '@kiki/shared/domain/platform.schema';

const seqSchema = z.number().int().nonnegative().safe();
/** Keyset position (ad_id, platform, date): the device's own primary-key order. */
const keySchema = z.tuple([z.uuid(), platformSchema, isoDateSchema]);
export type MetricKey = z.infer<typeof keySchema>;

const snapshotCursorSchema = z.object({
  k: z.literal('s'),
  /** The advertiser client: a cursor is only good for the client it was issued for. */
  c: z.uuid(),
  /** windowStart when the snapshot began; once the day rolls the snapshot restarts. */
  w: isoDateSchema,
  /** The agency sync version read with the first page: deltas continue from here. */
  s: seqSchema,
  p: z.enum(['recent', 'history']),
  /** Last key sent in this phase, null before the first row of the phase. */
  a: keySchema.nullable(),
  d: z.number().int().nonnegative(),
  t: z.number().int().nonnegative(),
});
const deltaCursorSchema = z.object({
  k: z.literal('d'),
  c: z.uuid(),
  s: seqSchema,
  /** Set when the last page stopped inside one change_seq (one ingest can write more rows than a page). */
  a: keySchema.nullable(),
});
const cursorSchema = z.discriminatedUnion('k', [snapshotCursorSchema, deltaCursorSchema]);
export type SnapshotCursor = z.infer<typeof snapshotCursorSchema>;
export type DeltaCursor = z.infer<typeof deltaCursorSchema>;
export type MetricsCursor = z.infer<typeof cursorSchema>;

/** Opaque to devices: base64url JSON, so the server may change its content without a protocol version. */
export function encodeMetricsCursor(cursor: MetricsCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeMetricsCursor(text: string, clientId: string): MetricsCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success || parsed.data.c !== clientId) {
    throw new AppError(
      'VALIDATION_FAILED',
      'This metrics cursor was not issued for this client; pull again with cursor null to restart.',
    );
  }
  return parsed.data;
}
