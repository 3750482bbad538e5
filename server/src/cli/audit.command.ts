import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { verifyAuditChain, type AuditBreak } from '../audit/audit.service';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { EXIT_FAILURE, EXIT_OK, emit } from './cli-io';
import { findOrg } from './cli-lookup';

export interface AuditBreakReport extends AuditBreak {
  orgName: string | null;
  occurredAt: string | null;
  action: string | null;
}

export interface AuditHead {
  orgId: string;
  orgName: string;
  seq: number;
  hash: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  checkedRows: number;
  breaks: AuditBreakReport[];
  /**
   * The newest row of each chain. Deleting the newest rows leaves a shorter chain that still verifies, so
   * admins keep these outside the database and compare: a head older than the one recorded means rows went.
   */
  heads: AuditHead[];
}

const REASONS: Record<AuditBreak['reason'], string> = {
  content_changed: 'its content was changed after it was written',
  link_broken: 'it does not link to the row before it',
  row_missing: 'the row before it is missing (deleted)',
};

/** Verifies the hash chains and adds what an admin needs to find the first bad row: its time and action. */
export async function verifyAudit(db: Kysely<Database>, orgId?: string): Promise<AuditVerifyReport> {
  const result = await verifyAuditChain(db, orgId);
  const breaks: AuditBreakReport[] = [];
  for (const b of result.breaks) {
    const row = await db
      .selectFrom('audit_log')
      .innerJoin('organizations', 'organizations.id', 'audit_log.org_id')
      .select(['audit_log.occurred_at', 'audit_log.action', 'organizations.name'])
      .where('audit_log.id', '=', b.id)
      .executeTakeFirst();
    breaks.push({
      ...b,
      orgName: row?.name ?? null,
      occurredAt: row?.occurred_at.toISOString() ?? null,
      action: row?.action ?? null,
    });
  }
  let headsQuery = db
    .selectFrom('audit_log')
    .innerJoin('organizations', 'organizations.id', 'audit_log.org_id')
    .distinctOn('audit_log.org_id')
    .select(['audit_log.org_id', 'organizations.name', 'audit_log.seq', 'audit_log.hash'])
    .orderBy('audit_log.org_id')
    .orderBy('audit_log.seq', 'desc');
  if (orgId !== undefined) headsQuery = headsQuery.where('audit_log.org_id', '=', orgId);
  const heads = (await headsQuery.execute())
    .map((h) => ({ orgId: h.org_id, orgName: h.name, seq: h.seq, hash: h.hash }))
    .sort((a, b) => a.orgName.localeCompare(b.orgName));
  return { ok: result.ok, checkedRows: result.checkedRows, breaks, heads };
}

export function describeAuditReport(report: AuditVerifyReport): string {
  const heads = report.heads.map((h) => `  ${h.orgName}: newest row #${h.seq} ${h.hash}`);
  if (report.ok) {
    return [
      `audit chain intact (${report.checkedRows} rows)`,
      ...(heads.length > 0 ? ['Record these heads; a later head with a lower number means rows were removed:'] : []),
      ...heads,
    ].join('\n');
  }
  const lines = report.breaks.map(
    (b) =>
      `  ${b.orgName ?? b.orgId}: first tampered row is #${b.seq} (id ${b.id}, ${b.occurredAt ?? 'unknown time'}, ` +
      `action ${b.action ?? 'unknown'}): ${REASONS[b.reason]}`,
  );
  return [
    `AUDIT CHAIN BROKEN in ${report.breaks.length} agency chain(s):`,
    ...lines,
    'Restore the audit log from a backup taken before that time and investigate who had write access to the database.',
  ].join('\n');
}

export function registerAuditCommands(program: Command, ctx: CliContext, setExitCode: (code: number) => void): void {
  const audit = program.command('audit').description('the hash-chained audit log');

  audit
    .command('verify')
    .description('recompute every hash chain; exit 1 naming the first tampered row')
    .option('--org <agency>', 'only this agency (name or id)')
    .action(async (options: { org?: string }) => {
      const orgRef = options.org;
      const report = await withDatabase(ctx, async ({ db }) =>
        verifyAudit(db, orgRef === undefined ? undefined : (await findOrg(db, orgRef)).id),
      );
      emit(ctx.io, ctx.json(), describeAuditReport(report), report);
      setExitCode(report.ok ? EXIT_OK : EXIT_FAILURE);
    });
}
