import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database';

/** How long the change log and stored push results are kept when KIKI_SYNC_RETENTION_DAYS is not set. */
export const DEFAULT_SYNC_RETENTION_DAYS = 30;
/** The server prunes on this period; the CLI's `retention run` prunes on demand. */
export const SYNC_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

const DAY_MS = 86_400_000;

export interface SyncPruneReport {
  cutoff: string;
  /** Change-log rows deleted (or that would be, in a dry run). */
  changes: number;
  /** Stored push results deleted (or that would be). */
  mutationResults: number;
  /** Agencies whose retained_from moved: devices with an older cursor must reset. */
  agencies: { orgId: string; retainedFrom: number }[];
}

/**
 * Deletes change-log rows older than `olderThanDays` and moves each agency's retained_from up to the
 * highest version deleted, so a cursor that predates the deletion gets resetRequired instead of a delta
 * with holes. Stored push results of the same age go too: a device offline that long resets anyway.
 */
export async function pruneSyncChanges(
  db: Kysely<Database>,
  options: { olderThanDays: number; now?: Date; dryRun?: boolean },
): Promise<SyncPruneReport> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.olderThanDays * DAY_MS);
  if (options.dryRun === true) {
    const changes = await db
      .selectFrom('sync_changes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('changed_at', '<', cutoff)
      .executeTakeFirst();
    const results = await db
      .selectFrom('sync_mutation_results')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('created_at', '<', cutoff)
      .executeTakeFirst();
    return {
      cutoff: cutoff.toISOString(),
      changes: Number(changes?.n ?? 0),
      mutationResults: Number(results?.n ?? 0),
      agencies: [],
    };
  }
  const prune = async (trx: Kysely<Database>): Promise<SyncPruneReport> => {
    // All three statements of the CTE run even though only the last is selected from.
    const pruned = await sql<{ org_id: string; n: string; retained_from: string }>`
      with pruned as (
        delete from sync_changes where changed_at < ${cutoff} returning org_id, version
      ), per_org as (
        select org_id, max(version) as v, count(*) as n from pruned group by org_id
      ), moved as (
        update sync_versions s set retained_from = greatest(s.retained_from, p.v)
        from per_org p where s.org_id = p.org_id
        returning s.org_id, s.retained_from
      )
      select p.org_id, p.n::text as n, coalesce(m.retained_from, p.v)::text as retained_from
      from per_org p left join moved m on m.org_id = p.org_id
      order by p.org_id`.execute(trx);
    const results = await trx.deleteFrom('sync_mutation_results').where('created_at', '<', cutoff).executeTakeFirst();
    return {
      cutoff: cutoff.toISOString(),
      changes: pruned.rows.reduce((n, r) => n + Number(r.n), 0),
      mutationResults: Number(results.numDeletedRows),
      agencies: pruned.rows.map((r) => ({ orgId: r.org_id, retainedFrom: Number(r.retained_from) })),
    };
  };
  // The retention command runs everything in one transaction of its own; Kysely cannot nest them.
  return db.isTransaction ? prune(db) : db.transaction().execute(prune);
}

interface PruneLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * Prunes on a timer for as long as the server runs. The timer is unref'd so it never keeps the process
 * alive; call the returned function on shutdown.
 */
export function startSyncPruneTimer(
  db: Kysely<Database>,
  options: { olderThanDays: number; logger: PruneLogger; intervalMs?: number },
): () => void {
  const timer = setInterval(() => {
    pruneSyncChanges(db, { olderThanDays: options.olderThanDays })
      .then((report) => {
        if (report.changes > 0 || report.mutationResults > 0)
          options.logger.info({ syncPrune: report }, 'sync change log pruned');
      })
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, 'pruning the sync change log failed; retrying next hour');
      });
  }, options.intervalMs ?? SYNC_PRUNE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
