import { z } from 'zod';

export const PAGE_MAX = 200;

/** `limit` + `offset` paging with a hard maximum, so no request can ask for an unbounded list. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Pass as `offset` for the next page; null on the last page. */
    nextOffset: z.number().int().nullable(),
  });
}

/** Fetches one extra row to know whether another page exists without a COUNT(*). */
export function toPage<T>(rows: T[], limit: number, offset: number): { items: T[]; nextOffset: number | null } {
  return rows.length > limit
    ? { items: rows.slice(0, limit), nextOffset: offset + limit }
    : { items: rows, nextOffset: null };
}

export const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
