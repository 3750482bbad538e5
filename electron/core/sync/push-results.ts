import type BetterSqlite3 from 'better-sqlite3';
import { conflictDetailsSchema, type PushResponse, type WireMutation } from '@kiki/shared/sync/sync-protocol';
import { parseMutationArgs } from '@kiki/shared/sync/sync-mutations';
import { budgetTypeSchema, campaignStatusSchema } from '@kiki/shared/domain/campaign.schema';
import { z } from 'zod';
import { mutationTarget, rebasePendingMutations } from './mutation-appliers';
import { chainConflictingEdits, deleteAcknowledged, versionedFieldKey } from './outbox.repository';
import { emptyUpserted, upsertSyncChanges } from './synced-rows.repository';

export interface PushOutcome {
  applied: number;
  approvalRequested: number;
  rejected: number;
  conflicts: number;
  /** Entity types whose local rows changed, for 'data.changed'. */
  touched: string[];
}

const budgetValueSchema = z.object({ budgetType: budgetTypeSchema, budgetMicros: z.number().int().safe() });

function targetOf(sent: WireMutation | undefined): { type: string; id: string } | null {
  if (sent === undefined) return null;
  const parsed = parseMutationArgs(sent.name, sent.args);
  return parsed.success ? mutationTarget(parsed.mutation) : null;
}

/**
 * A conflict normally carries the server's row; if it does not, the details still say what the server has,
 * which is enough to put the field back to the server's value and version.
 */
function restoreFromConflict(sqlite: BetterSqlite3.Database, details: unknown, now: string): string | null {
  const parsed = conflictDetailsSchema.safeParse(details);
  if (!parsed.success) return null;
  const { field, entityId, theirs, serverVersion } = parsed.data;
  if (field === 'status') {
    const status = campaignStatusSchema.safeParse(theirs);
    if (!status.success) return null;
    sqlite
      .prepare('UPDATE campaigns SET status = ?, status_version = ?, updated_at = ? WHERE id = ?')
      .run(status.data, serverVersion, now, entityId);
  } else {
    const budget = budgetValueSchema.safeParse(theirs);
    if (!budget.success) return null;
    sqlite
      .prepare(
        'UPDATE campaigns SET budget_type = ?, budget_micros = ?, budget_version = ?, updated_at = ? WHERE id = ?',
      )
      .run(budget.data.budgetType, budget.data.budgetMicros, serverVersion, now, entityId);
  }
  return entityId;
}

/**
 * Everything a push response means for the device, in ONE transaction: acknowledged edits leave the queue
 * (every result, applied or not, and every id up to lastAckedMutationId), the server's rows land, refusals and
 * conflicts become sync issues, and the edits still queued are re-applied on top (rebase).
 */
export function applyPushResults(
  sqlite: BetterSqlite3.Database,
  sent: readonly WireMutation[],
  response: PushResponse,
  now: Date,
): PushOutcome {
  const at = now.toISOString();
  const byId = new Map(sent.map((m) => [m.id, m]));
  const recordIssue = sqlite.prepare(
    `INSERT INTO sync_rejections (mutation_id, name, args_json, error_code, error_message, rejected_at, kind,
       details_json, entity_type, entity_id)
     VALUES (@id, @name, @args, @code, @message, @at, @kind, @details, @entityType, @entityId)
     ON CONFLICT (mutation_id) DO UPDATE SET error_code = excluded.error_code, error_message = excluded.error_message,
       rejected_at = excluded.rejected_at, kind = excluded.kind, details_json = excluded.details_json`,
  );

  const olderConflicts = sqlite.prepare<[string, number], { mutation_id: number; args_json: string }>(
    "SELECT mutation_id, args_json FROM sync_rejections WHERE kind = 'conflict' AND name = ? AND mutation_id < ?",
  );
  const dropIssue = sqlite.prepare('DELETE FROM sync_rejections WHERE mutation_id = ?');

  return sqlite.transaction((): PushOutcome => {
    const outcome: PushOutcome = { applied: 0, approvalRequested: 0, rejected: 0, conflicts: 0, touched: [] };
    const upserted = emptyUpserted();
    let issues = 0;
    for (const result of response.results) {
      if (result.rows !== undefined) upsertSyncChanges(sqlite, result.rows, upserted, at);
      if (result.status === 'applied') outcome.applied += 1;
      else if (result.status === 'approval_requested') outcome.approvalRequested += 1;
      else {
        const mutation = byId.get(result.id);
        const error = result.error ?? {
          code: 'INTERNAL' as const,
          message: 'The team server refused this change without a reason; edit it again or ask an admin.',
        };
        const conflict = error.code === 'CONFLICT';
        if (conflict) outcome.conflicts += 1;
        else outcome.rejected += 1;
        const target = targetOf(mutation);
        if (conflict && (target === null || !upserted.campaignIds.has(target.id))) {
          const restored = restoreFromConflict(sqlite, error.details, at);
          if (restored !== null) upserted.campaignIds.add(restored);
        }
        if (conflict && mutation !== undefined) {
          chainConflictingEdits(sqlite, mutation);
          // One open conflict per field: a newer conflicting edit of the same field replaces the older issue,
          // so the user chooses between their latest value and the server's, once.
          const key = versionedFieldKey(mutation);
          if (key !== null) {
            for (const older of olderConflicts.all(mutation.name, result.id)) {
              if (versionedFieldKey({ name: mutation.name, args: JSON.parse(older.args_json) as unknown }) === key) {
                dropIssue.run(older.mutation_id);
              }
            }
          }
        }
        recordIssue.run({
          id: result.id,
          name: mutation?.name ?? 'unknown',
          args: JSON.stringify(mutation?.args ?? {}),
          code: error.code,
          message: error.message,
          at,
          kind: conflict ? 'conflict' : 'rejected',
          details: error.details === undefined ? null : JSON.stringify(error.details),
          entityType: target?.type ?? null,
          entityId: target?.id ?? null,
        });
        issues += 1;
      }
    }
    deleteAcknowledged(
      sqlite,
      response.results.map((r) => r.id),
      response.lastAckedMutationId,
    );
    rebasePendingMutations(sqlite, upserted, at);
    outcome.touched = [...upserted.types];
    if (upserted.campaignIds.size > 0 && !outcome.touched.includes('campaign')) outcome.touched.push('campaign');
    if (issues > 0) outcome.touched.push('syncIssue');
    return outcome;
  })();
}
