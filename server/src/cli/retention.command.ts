import type { Command } from 'commander';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { appendAudit } from '../audit/audit.service';
import { ENROLLMENT_TTL_MS } from '../auth/mfa.service';
import { syncRetentionDaysFromEnv } from '../config';
import type { Database } from '../db/database';
import { DEFAULT_SYNC_RETENTION_DAYS, pruneSyncChanges, type SyncPruneReport } from '../sync/sync-retention.service';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit } from './cli-io';
import { subtractMonths } from '@kiki/shared/dates';

/** Ended sessions are kept this long for investigations, then go with their refresh tokens. */
export const SESSION_RETENTION_DAYS = 30;
export const AUTH_EVENT_RETENTION_DAYS = 90;
/** The metrics window of DESIGN.md section 4; daily revenue rollups are kept. */
export const METRICS_RETENTION_MONTHS = 25;

const DAY_MS = 86_400_000;

export interface RetentionCounts {
  sessions: number;
  refreshTokens: number;
  recoveryCodes: number;
  mfaEnrollments: number;
  authEvents: number;
  performanceMetrics: number;
}

export interface RetentionCutoffs {
  endedSessionsBefore: string;
  authEventsBefore: string;
  unconfirmedMfaBefore: string;
  metricsBefore: string;
}

export interface RetentionReport {
  dryRun: boolean;
  cutoffs: RetentionCutoffs;
  agencies: { orgId: string; name: string; counts: RetentionCounts }[];
  /** Auth events that belong to no agency (sign-in attempts for unknown emails). */
  orphanAuthEvents: number;
  totals: RetentionCounts;
  /** The sync change log and stored push results (KIKI_SYNC_RETENTION_DAYS); not per agency, not audited. */
  sync: SyncPruneReport & { retentionDays: number };
}

const EMPTY: RetentionCounts = {
  sessions: 0,
  refreshTokens: 0,
  recoveryCodes: 0,
  mfaEnrollments: 0,
  authEvents: 0,
  performanceMetrics: 0,
};

/** The same calendar day `months` earlier (clamped to the month's end), as YYYY-MM-DD in UTC. */
export function monthsBefore(now: Date, months: number): string {
  return subtractMonths(now.toISOString().slice(0, 10), months);
}

export function retentionCutoffs(now: Date) {
  return {
    dates: {
      endedSessionsBefore: new Date(now.getTime() - SESSION_RETENTION_DAYS * DAY_MS),
      authEventsBefore: new Date(now.getTime() - AUTH_EVENT_RETENTION_DAYS * DAY_MS),
      unconfirmedMfaBefore: new Date(now.getTime() - ENROLLMENT_TTL_MS),
    },
    /** Metric dates are calendar days, compared as YYYY-MM-DD. */
    metricsBefore: monthsBefore(now, METRICS_RETENTION_MONTHS),
  };
}

type Cutoffs = ReturnType<typeof retentionCutoffs>;

async function deletedOrCounted(
  dryRun: boolean,
  count: () => Promise<{ n: string | number | bigint } | undefined>,
  remove: () => Promise<{ numDeletedRows: bigint }>,
): Promise<number> {
  if (dryRun) return Number((await count())?.n ?? 0);
  return Number((await remove()).numDeletedRows);
}

async function applyToOrg(
  trx: Transaction<Database>,
  orgId: string,
  cutoffs: Cutoffs,
  dryRun: boolean,
): Promise<RetentionCounts> {
  const { dates } = cutoffs;
  const endedSession = (eb: ExpressionBuilder<Database, 'sessions'>) =>
    eb.and([
      eb('org_id', '=', orgId),
      eb.or([eb('revoked_at', '<', dates.endedSessionsBefore), eb('expires_at', '<', dates.endedSessionsBefore)]),
    ]);
  // Refresh tokens of live sessions stay: reuse detection needs the rotated ones until the session ends.
  const refreshTokens = Number(
    (
      await trx
        .selectFrom('refresh_tokens')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .where('family_id', 'in', trx.selectFrom('sessions').select('id').where(endedSession))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const sessions = await deletedOrCounted(
    dryRun,
    () =>
      trx
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(endedSession)
        .executeTakeFirst(),
    () => trx.deleteFrom('sessions').where(endedSession).executeTakeFirst(),
  );
  const recoveryCodes = await deletedOrCounted(
    dryRun,
    () =>
      trx
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .where('used_at', 'is not', null)
        .executeTakeFirst(),
    () =>
      trx.deleteFrom('recovery_codes').where('org_id', '=', orgId).where('used_at', 'is not', null).executeTakeFirst(),
  );
  const mfaEnrollments = await deletedOrCounted(
    dryRun,
    () =>
      trx
        .selectFrom('mfa_enrollments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .where('created_at', '<', dates.unconfirmedMfaBefore)
        .executeTakeFirst(),
    () =>
      trx
        .deleteFrom('mfa_enrollments')
        .where('org_id', '=', orgId)
        .where('created_at', '<', dates.unconfirmedMfaBefore)
        .executeTakeFirst(),
  );
  const authEvents = await deletedOrCounted(
    dryRun,
    () =>
      trx
        .selectFrom('auth_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .where('created_at', '<', dates.authEventsBefore)
        .executeTakeFirst(),
    () =>
      trx
        .deleteFrom('auth_events')
        .where('org_id', '=', orgId)
        .where('created_at', '<', dates.authEventsBefore)
        .executeTakeFirst(),
  );
  const performanceMetrics = await deletedOrCounted(
    dryRun,
    () =>
      trx
        .selectFrom('performance_metrics')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .where('date', '<', cutoffs.metricsBefore)
        .executeTakeFirst(),
    () =>
      trx
        .deleteFrom('performance_metrics')
        .where('org_id', '=', orgId)
        .where('date', '<', cutoffs.metricsBefore)
        .executeTakeFirst(),
  );
  return { sessions, refreshTokens, recoveryCodes, mfaEnrollments, authEvents, performanceMetrics };
}

function add(a: RetentionCounts, b: RetentionCounts): RetentionCounts {
  return {
    sessions: a.sessions + b.sessions,
    refreshTokens: a.refreshTokens + b.refreshTokens,
    recoveryCodes: a.recoveryCodes + b.recoveryCodes,
    mfaEnrollments: a.mfaEnrollments + b.mfaEnrollments,
    authEvents: a.authEvents + b.authEvents,
    performanceMetrics: a.performanceMetrics + b.performanceMetrics,
  };
}

/**
 * Deletes what the retention policy no longer needs, agency by agency, in one transaction; each agency
 * whose rows were deleted gets an audit row with the counts. Audit rows are never deleted. With `dryRun`
 * it only counts, and nothing (not even the audit log) changes.
 */
export async function runRetention(
  db: Kysely<Database>,
  options: { now: Date; dryRun: boolean; syncRetentionDays?: number },
): Promise<RetentionReport> {
  const syncRetentionDays = options.syncRetentionDays ?? DEFAULT_SYNC_RETENTION_DAYS;
  const cutoffs = retentionCutoffs(options.now);
  return db.transaction().execute(async (trx) => {
    const orgs = await trx.selectFrom('organizations').select(['id', 'name']).orderBy('name').orderBy('id').execute();
    const agencies: RetentionReport['agencies'] = [];
    let totals = EMPTY;
    for (const org of orgs) {
      const counts = await applyToOrg(trx, org.id, cutoffs, options.dryRun);
      agencies.push({ orgId: org.id, name: org.name, counts });
      totals = add(totals, counts);
      const deleted = Object.values(counts).some((n) => n > 0);
      if (!options.dryRun && deleted) {
        await appendAudit(trx, {
          orgId: org.id,
          actorUserId: null,
          action: 'admin.retention_run',
          entityType: 'database',
          entityId: null,
          data: { ...CLI_SOURCE, deleted: counts },
        });
      }
    }
    const orphanAuthEvents = await deletedOrCounted(
      options.dryRun,
      () =>
        trx
          .selectFrom('auth_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('org_id', 'is', null)
          .where('created_at', '<', cutoffs.dates.authEventsBefore)
          .executeTakeFirst(),
      () =>
        trx
          .deleteFrom('auth_events')
          .where('org_id', 'is', null)
          .where('created_at', '<', cutoffs.dates.authEventsBefore)
          .executeTakeFirst(),
    );
    totals = { ...totals, authEvents: totals.authEvents + orphanAuthEvents };
    const sync = await pruneSyncChanges(trx, {
      olderThanDays: syncRetentionDays,
      now: options.now,
      dryRun: options.dryRun,
    });
    return {
      dryRun: options.dryRun,
      cutoffs: {
        endedSessionsBefore: cutoffs.dates.endedSessionsBefore.toISOString(),
        authEventsBefore: cutoffs.dates.authEventsBefore.toISOString(),
        unconfirmedMfaBefore: cutoffs.dates.unconfirmedMfaBefore.toISOString(),
        metricsBefore: cutoffs.metricsBefore,
      },
      agencies,
      orphanAuthEvents,
      totals,
      sync: { ...sync, retentionDays: syncRetentionDays },
    };
  });
}

const LABELS: Record<keyof RetentionCounts, string> = {
  sessions: 'sessions (ended > 30 days ago)',
  refreshTokens: 'refresh tokens (of those sessions)',
  recoveryCodes: 'used recovery codes',
  mfaEnrollments: 'unconfirmed MFA enrolments',
  authEvents: 'auth events (> 90 days old)',
  performanceMetrics: `raw metric rows (before ${METRICS_RETENTION_MONTHS} months)`,
};

export function describeRetention(report: RetentionReport): string {
  const verb = report.dryRun ? 'Would delete' : 'Deleted';
  const lines = (Object.keys(LABELS) as (keyof RetentionCounts)[]).map(
    (key) => `  ${LABELS[key]}: ${report.totals[key]}`,
  );
  return [
    `${verb} (metrics before ${report.cutoffs.metricsBefore}; audit rows are never deleted):`,
    ...lines,
    `  sync change log rows (> ${report.sync.retentionDays} days): ${report.sync.changes}`,
    `  stored sync push results (> ${report.sync.retentionDays} days): ${report.sync.mutationResults}`,
    report.dryRun
      ? 'Dry run: nothing was changed.'
      : `Audited in ${report.agencies.filter((a) => Object.values(a.counts).some((n) => n > 0)).length} agency chain(s).`,
  ].join('\n');
}

export function registerRetentionCommands(program: Command, ctx: CliContext, now: () => Date): void {
  const retention = program.command('retention').description('delete data past its retention period');

  retention
    .command('run')
    .description(
      'delete ended sessions, used recovery codes, old auth events, metrics past the window and the old sync change log',
    )
    .option('--dry-run', 'only count what would be deleted', false)
    .action(async (options: { dryRun: boolean }) => {
      const syncRetentionDays = syncRetentionDaysFromEnv(ctx.io.env);
      const report = await withDatabase(ctx, ({ db }) =>
        runRetention(db, { now: now(), dryRun: options.dryRun, syncRetentionDays }),
      );
      emit(ctx.io, ctx.json(), describeRetention(report), report);
    });
}
