import type BetterSqlite3 from 'better-sqlite3';
import type { TypedSyncMutation } from '@kiki/shared/sync/sync-mutations';
import { listPendingTyped } from './outbox.repository';

/** Which local row a mutation changes: what a rebase re-applies after that row came back from the server. */
export function mutationTarget(mutation: TypedSyncMutation): { type: 'campaign' | 'adCopy'; id: string } {
  return mutation.name === 'adCopy.updateText'
    ? { type: 'adCopy', id: mutation.args.adCopyId }
    : { type: 'campaign', id: mutation.args.campaignId };
}

/**
 * Applies one queued edit to the local tables, exactly as the server will. Status and budget edits also bump
 * their field version by one when the value really changes, as the server's trigger does, so a second offline
 * edit of the same field quotes the version the first will have produced instead of conflicting with itself.
 * A row that is gone (deleted on the server, scope revoked) makes this a no-op: the server decides what
 * happens to the edit.
 */
export function applyMutationLocally(sqlite: BetterSqlite3.Database, mutation: TypedSyncMutation, now: string): void {
  switch (mutation.name) {
    case 'campaign.rename': {
      const { campaignId, name } = mutation.args;
      sqlite
        .prepare('UPDATE campaigns SET name = ?, search_name = ?, updated_at = ? WHERE id = ?')
        .run(name, name.toLocaleLowerCase(), now, campaignId);
      return;
    }
    case 'campaign.setStatus': {
      const { campaignId, status } = mutation.args;
      sqlite
        .prepare(
          `UPDATE campaigns SET status = @status, status_version = status_version + (status IS NOT @status),
             updated_at = @now
           WHERE id = @campaignId`,
        )
        .run({ status, now, campaignId });
      return;
    }
    case 'campaign.setBudget': {
      const { campaignId, budgetType, budgetMicros } = mutation.args;
      sqlite
        .prepare(
          `UPDATE campaigns SET budget_type = @budgetType, budget_micros = @budgetMicros,
             budget_version = budget_version + (budget_type IS NOT @budgetType OR budget_micros IS NOT @budgetMicros),
             updated_at = @now
           WHERE id = @campaignId`,
        )
        .run({ budgetType, budgetMicros, now, campaignId });
      return;
    }
    case 'campaign.setSchedule': {
      const { campaignId, startDate, endDate } = mutation.args;
      sqlite
        .prepare('UPDATE campaigns SET start_date = ?, end_date = ?, updated_at = ? WHERE id = ?')
        .run(startDate, endDate, now, campaignId);
      return;
    }
    case 'adCopy.updateText': {
      const { adCopyId, headline, primaryText, callToAction } = mutation.args;
      // ad_copies has no updated_at; COALESCE keeps the fields this edit does not carry.
      sqlite
        .prepare(
          `UPDATE ad_copies SET headline = COALESCE(?, headline), primary_text = COALESCE(?, primary_text),
             call_to_action = COALESCE(?, call_to_action)
           WHERE id = ?`,
        )
        .run(headline ?? null, primaryText ?? null, callToAction ?? null, adCopyId);
      return;
    }
  }
}

/**
 * Local rows are "server state + pending edits on top". After server rows for `campaignIds`/`adCopyIds` landed,
 * re-applies every queued edit that targets one of them, oldest first. Rows the batch did not touch already
 * carry their edits and are left alone (re-applying would bump their field versions twice). Edits with an id
 * up to `alreadyAppliedUpTo` are in the server rows already (acknowledged, their ack not yet processed).
 */
export function rebasePendingMutations(
  sqlite: BetterSqlite3.Database,
  touched: { campaignIds: ReadonlySet<string>; adCopyIds: ReadonlySet<string> },
  now: string,
  alreadyAppliedUpTo = 0,
): number {
  if (touched.campaignIds.size === 0 && touched.adCopyIds.size === 0) return 0;
  let applied = 0;
  for (const pending of listPendingTyped(sqlite)) {
    if (pending.id <= alreadyAppliedUpTo) continue;
    const target = mutationTarget(pending.mutation);
    const ids = target.type === 'campaign' ? touched.campaignIds : touched.adCopyIds;
    if (!ids.has(target.id)) continue;
    applyMutationLocally(sqlite, pending.mutation, now);
    applied += 1;
  }
  return applied;
}
