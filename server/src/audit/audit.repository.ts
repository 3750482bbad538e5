import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditLogRow, Database } from '../db/database';

export const auditFilterSchema = z.object({
  actorUserId: z.uuid().optional(),
  action: z.string().min(1).max(100).optional(),
  entityType: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
  /** With `to`, the half-open range [from, to): consecutive windows neither miss nor repeat a row. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditEntrySchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  occurredAt: z.iso.datetime(),
  actorUserId: z.uuid().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  hash: z.string(),
});
export type AuditEntryResponse = z.infer<typeof auditEntrySchema>;

export function toAuditEntry(row: AuditLogRow): AuditEntryResponse {
  return {
    id: row.id,
    seq: row.seq,
    occurredAt: row.occurred_at.toISOString(),
    actorUserId: row.actor_user_id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    data: row.data,
    ip: row.ip,
    requestId: row.request_id,
    hash: row.hash,
  };
}

/**
 * One agency's audit rows, newest first, matching every given filter. `beforeSeq` is the keyset cursor:
 * pages stay stable while new rows are appended.
 */
export async function queryAudit(
  db: Kysely<Database>,
  orgId: string,
  filter: AuditFilter,
  page: { limit: number; beforeSeq?: number },
): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
  if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.entityType !== undefined) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', new Date(filter.from));
  if (filter.to !== undefined) query = query.where('occurred_at', '<', new Date(filter.to));
  if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
  return query.orderBy('seq', 'desc').limit(page.limit).execute();
}
