import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { newId } from '@kiki/shared/ids';
import type { Database } from '../db/database';
import { canonicalJson } from './canonical-json';

export interface AuditEntry {
  orgId: string;
  actorUserId: string | null;
  /** Dotted verb, e.g. `client.created`, `auth.sign_in_failed`. */
  action: string;
  entityType: string;
  entityId: string | null;
  /** What changed; never secrets (no passwords, tokens, TOTP secrets). */
  data?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

/** prev_hash of the first row of every agency's chain. */
export const GENESIS_HASH = '0'.repeat(64);
/** First key of the advisory lock that serialises appends within one agency's chain. */
const AUDIT_LOCK_CLASS = 72_201;

interface HashedFields {
  id: string;
  orgId: string;
  seq: number;
  occurredAt: Date;
  actorUserId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

export function auditRowHash(prevHash: string, row: HashedFields): string {
  const body = canonicalJson({
    id: row.id,
    orgId: row.orgId,
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actorUserId: row.actorUserId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    data: row.data,
    ip: row.ip,
    requestId: row.requestId,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one row to the agency's hash chain inside the caller's transaction, so the audit row commits
 * or rolls back with the change it describes. Appends for one agency are serialised by a transaction
 * advisory lock; other agencies are not blocked.
 *
 * Events with no agency (a failed sign-in for an unknown email) do not belong here: they go to the
 * non-chained `auth_events` table.
 */
export async function appendAudit(trx: Transaction<Database>, entry: AuditEntry): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}::int4, hashtext(${entry.orgId}))`.execute(trx);
  const head = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('org_id', '=', entry.orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();

  // Round-trip through JSON so what is hashed is exactly what jsonb will give back (no undefined, Dates as strings).
  const data = JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>;
  // Made in JS (millisecond precision) rather than by now(), so the Date read back equals the one hashed.
  const occurredAt = new Date();
  const row: HashedFields = {
    id: newId(),
    orgId: entry.orgId,
    seq: (head?.seq ?? 0) + 1,
    occurredAt,
    actorUserId: entry.actorUserId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    data,
    ip: entry.ip ?? null,
    requestId: entry.requestId ?? null,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  await trx
    .insertInto('audit_log')
    .values({
      id: row.id,
      org_id: row.orgId,
      seq: row.seq,
      occurred_at: row.occurredAt,
      actor_user_id: row.actorUserId,
      action: row.action,
      entity_type: row.entityType,
      entity_id: row.entityId,
      data: JSON.stringify(row.data),
      ip: row.ip,
      request_id: row.requestId,
      prev_hash: prevHash,
      hash: auditRowHash(prevHash, row),
    })
    .execute();
}

export interface AuditBreak {
  orgId: string;
  /** The first row whose content, link or position does not match the chain. */
  seq: number;
  id: string;
  reason: 'content_changed' | 'link_broken' | 'row_missing';
}

export interface AuditVerification {
  ok: boolean;
  checkedRows: number;
  /** One entry per agency whose chain is broken, at its first bad row. */
  breaks: AuditBreak[];
}

const VERIFY_BATCH = 1000;

async function verifyOrgChain(
  db: Kysely<Database>,
  orgId: string,
): Promise<{ checked: number; broken: AuditBreak | null }> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(VERIFY_BATCH)
      .execute();
    for (const row of rows) {
      checked++;
      const at = { orgId, seq: row.seq, id: row.id };
      if (row.seq !== expectedSeq) return { checked, broken: { ...at, reason: 'row_missing' } };
      if (row.prev_hash !== prevHash) return { checked, broken: { ...at, reason: 'link_broken' } };
      const recomputed = auditRowHash(prevHash, {
        id: row.id,
        orgId: row.org_id,
        seq: row.seq,
        occurredAt: row.occurred_at,
        actorUserId: row.actor_user_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        data: row.data,
        ip: row.ip,
        requestId: row.request_id,
      });
      if (recomputed !== row.hash) return { checked, broken: { ...at, reason: 'content_changed' } };
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < VERIFY_BATCH) return { checked, broken: null };
  }
}

/**
 * Recomputes every agency's chain (or one agency's) from its first row and reports the first row that
 * does not match: edited content, a broken link, or a gap where a row was deleted.
 */
export async function verifyAuditChain(db: Kysely<Database>, orgId?: string): Promise<AuditVerification> {
  const orgIds =
    orgId !== undefined
      ? [orgId]
      : (await db.selectFrom('audit_log').select('org_id').distinct().execute()).map((r) => r.org_id);
  let checkedRows = 0;
  const breaks: AuditBreak[] = [];
  for (const id of orgIds) {
    const result = await verifyOrgChain(db, id);
    checkedRows += result.checked;
    if (result.broken !== null) breaks.push(result.broken);
  }
  return { ok: breaks.length === 0, checkedRows, breaks };
}
