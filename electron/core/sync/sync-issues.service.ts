import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { AppError, errorCodeSchema, type AppErrorShape } from '@kiki/shared/errors';
import { MICROS_PER_UNIT } from '@kiki/shared/money';
import type { SyncIssue } from '@kiki/shared/contract/sync-contract';
import { budgetTypeSchema, campaignStatusSchema } from '@kiki/shared/domain/campaign.schema';
import { conflictDetailsSchema } from '@kiki/shared/sync/sync-protocol';
import { parseMutationArgs, syncMutationNameSchema, type TypedSyncMutation } from '@kiki/shared/sync/sync-mutations';
import { createLocalEdits, type LocalEdits } from './local-edits.service';
import { mutationTarget } from './mutation-appliers';
import { readAdCopy, readCampaign, type LocalCampaign } from './synced-rows.repository';

export interface SyncIssuesDeps {
  sqlite: BetterSqlite3.Database;
  now: () => Date;
  /** Re-queues "keep mine" choices; made from sqlite and now when not given. */
  localEdits?: LocalEdits;
}

export interface SyncIssues {
  /** Conflicts and refused changes, newest first, in the user's words. */
  list(): SyncIssue[];
  /** 'mine' queues your value again over the server's version; 'theirs' keeps the server's. Returns the rest. */
  resolve(mutationId: number, choice: 'mine' | 'theirs'): SyncIssue[];
  count(): number;
}

interface IssueRow {
  mutation_id: number;
  name: string;
  args_json: string;
  error_code: string;
  error_message: string;
  rejected_at: string;
  kind: 'conflict' | 'rejected';
  details_json: string | null;
  entity_type: string | null;
  entity_id: string | null;
}

const budgetValueSchema = z.object({ budgetType: budgetTypeSchema, budgetMicros: z.number() });

function formatMoney(micros: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(micros / MICROS_PER_UNIT);
  } catch {
    // Intl refuses codes it does not know; the amount with its code still reads fine.
    return `${(micros / MICROS_PER_UNIT).toFixed(2)} ${currency}`;
  }
}

function formatBudget(value: unknown, currency: string): string | null {
  const budget = budgetValueSchema.safeParse(value);
  if (!budget.success) return null;
  const amount = formatMoney(budget.data.budgetMicros, currency);
  return budget.data.budgetType === 'daily' ? `${amount} per day` : `${amount} lifetime`;
}

function formatStatus(value: unknown): string | null {
  const status = campaignStatusSchema.safeParse(value);
  if (!status.success) return null;
  return status.data.charAt(0).toUpperCase() + status.data.slice(1);
}

function formatSchedule(startDate: string, endDate: string | null): string {
  return endDate === null ? `from ${startDate}, no end date` : `${startDate} to ${endDate}`;
}

const COPY_FIELDS = [
  ['headline', 'Headline'],
  ['primaryText', 'Primary text'],
  ['callToAction', 'Call to action'],
] as const;

function parseStored(row: IssueRow): TypedSyncMutation | null {
  const name = syncMutationNameSchema.safeParse(row.name);
  if (!name.success) return null;
  const parsed = parseMutationArgs(name.data, JSON.parse(row.args_json) as unknown);
  return parsed.success ? parsed.mutation : null;
}

/** What the user tried and the two values, worded for the issues list. */
function describe(
  mutation: Exclude<TypedSyncMutation, { name: 'adCopy.updateText' }>,
  campaign: LocalCampaign | undefined,
  row: IssueRow,
): Pick<SyncIssue, 'summary' | 'yours' | 'theirs'> & { label: string } {
  const details = conflictDetailsSchema.safeParse(row.details_json === null ? null : JSON.parse(row.details_json));
  const conflictTheirs = row.kind === 'conflict' && details.success ? details.data.theirs : undefined;
  const currency = campaign?.currency ?? 'USD';
  const label = campaign?.name ?? 'a campaign no longer on this device';
  switch (mutation.name) {
    case 'campaign.rename':
      return {
        label,
        summary: `Name of ${label}`,
        yours: mutation.args.name,
        theirs: campaign?.name ?? null,
      };
    case 'campaign.setStatus':
      return {
        label,
        summary: `Status of ${label}`,
        yours: formatStatus(mutation.args.status),
        theirs: formatStatus(conflictTheirs ?? campaign?.status),
      };
    case 'campaign.setBudget':
      return {
        label,
        summary: `Budget of ${label}`,
        yours: formatBudget(mutation.args, currency),
        theirs: formatBudget(conflictTheirs ?? campaign, currency),
      };
    case 'campaign.setSchedule':
      return {
        label,
        summary: `Schedule of ${label}`,
        yours: formatSchedule(mutation.args.startDate, mutation.args.endDate),
        theirs: campaign === undefined ? null : formatSchedule(campaign.startDate, campaign.endDate),
      };
  }
}

/**
 * The sync issues the user sees: changes the server refused (with its reason; the row already shows the
 * server's value again) and budget/status conflicts, where they pick their value or the server's.
 */
export function createSyncIssues({ sqlite, now, localEdits }: SyncIssuesDeps): SyncIssues {
  const edits = localEdits ?? createLocalEdits({ sqlite, now });
  const selectAll = sqlite.prepare<[], IssueRow>(
    `SELECT mutation_id, name, args_json, error_code, error_message, rejected_at, kind, details_json, entity_type,
       entity_id
     FROM sync_rejections ORDER BY rejected_at DESC, mutation_id DESC`,
  );
  const selectOne = sqlite.prepare<[number], IssueRow>(
    `SELECT mutation_id, name, args_json, error_code, error_message, rejected_at, kind, details_json, entity_type,
       entity_id
     FROM sync_rejections WHERE mutation_id = ?`,
  );
  const remove = sqlite.prepare('DELETE FROM sync_rejections WHERE mutation_id = ?');

  function toIssue(row: IssueRow): SyncIssue | null {
    const mutation = parseStored(row);
    if (mutation === null) return null;
    const code = errorCodeSchema.safeParse(row.error_code);
    const error: AppErrorShape = { code: code.success ? code.data : 'INTERNAL', message: row.error_message };
    if (row.details_json !== null) error.details = JSON.parse(row.details_json) as unknown;
    const target = mutationTarget(mutation);
    if (mutation.name === 'adCopy.updateText') {
      const copy = readAdCopy(sqlite, mutation.args.adCopyId);
      const campaign = copy === undefined ? undefined : readCampaign(sqlite, copy.campaignId);
      const label =
        copy === undefined
          ? 'an ad copy no longer on this device'
          : `variant ${copy.variantLabel} of ${campaign?.name ?? 'its campaign'}`;
      const changed = COPY_FIELDS.filter(([key]) => mutation.args[key] !== undefined);
      return {
        mutationId: row.mutation_id,
        kind: row.kind,
        summary: `Text of ${label}`,
        entity: { type: 'adCopy', id: target.id, label },
        yours: changed.map(([key, name]) => `${name}: ${mutation.args[key]}`).join('\n'),
        theirs: copy === undefined ? null : changed.map(([key, name]) => `${name}: ${copy[key]}`).join('\n'),
        error,
        at: row.rejected_at,
      };
    }
    const campaign = readCampaign(sqlite, target.id);
    const { label, ...text } = describe(mutation, campaign, row);
    return {
      mutationId: row.mutation_id,
      kind: row.kind,
      ...text,
      entity: { type: 'campaign', id: target.id, label },
      error,
      at: row.rejected_at,
    };
  }

  function list(): SyncIssue[] {
    return selectAll.all().flatMap((row) => {
      const issue = toIssue(row);
      return issue === null ? [] : [issue];
    });
  }

  const keepMine = sqlite.transaction((row: IssueRow, mutation: TypedSyncMutation) => {
    const details = conflictDetailsSchema.safeParse(row.details_json === null ? null : JSON.parse(row.details_json));
    if (!details.success) {
      throw new AppError(
        'INTERNAL',
        'This conflict lacks the server version to build on; choose "theirs" and edit again.',
      );
    }
    edits.enqueue(mutation, details.data.serverVersion);
    remove.run(row.mutation_id);
  });

  return {
    list,
    resolve(mutationId, choice) {
      const row = selectOne.get(mutationId);
      if (row === undefined) {
        throw new AppError('NOT_FOUND', 'That sync issue is already resolved; refresh the list.');
      }
      if (choice === 'theirs') {
        remove.run(mutationId);
        return list();
      }
      const mutation = parseStored(row);
      if (row.kind !== 'conflict' || mutation === null) {
        throw new AppError(
          'VALIDATION_FAILED',
          `The server refused this change (${row.error_message}); sending it again would fail the same way. ` +
            'Dismiss it with "theirs" and make the change again if you still need it.',
        );
      }
      keepMine(row, mutation);
      return list();
    },
    // The badge counts exactly what the list shows (toIssue drops just the rows parseStored cannot read), without
    // building each issue's text: the status asks for it after every push, pull and metrics page.
    count: () => selectAll.all().filter((row) => parseStored(row) !== null).length,
  };
}
