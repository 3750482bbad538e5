import type BetterSqlite3 from 'better-sqlite3';
import type { z } from 'zod';
import { AppError, describeZodError } from '@kiki/shared/errors';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import type { adCopyChangesSchema, campaignChangesSchema } from '@kiki/shared/contract/sync-contract';
import {
  parseMutationArgs,
  VERSIONED_MUTATIONS,
  type SyncMutationName,
  type TypedSyncMutation,
} from '@kiki/shared/sync/sync-mutations';
import { applyMutationLocally } from './mutation-appliers';
import { countPending, enqueueMutation } from './outbox.repository';
import { readAdCopy, readCampaign, type LocalCampaign } from './synced-rows.repository';

export type CampaignChanges = z.infer<typeof campaignChangesSchema>;
export type AdCopyChanges = z.infer<typeof adCopyChangesSchema>;

export interface LocalEditsDeps {
  sqlite: BetterSqlite3.Database;
  now: () => Date;
}

export interface LocalEdits {
  updateCampaign(input: { campaignId: string; changes: CampaignChanges }): { campaign: Campaign; pendingCount: number };
  updateAdCopy(input: { adCopyId: string; changes: AdCopyChanges }): { copy: AdCopy; pendingCount: number };
  /**
   * Queues one already-built edit and applies it locally, in one transaction. `baseVersion` defaults to the
   * row's current field version for status and budget edits. Returns the new mutation id.
   */
  enqueue(mutation: TypedSyncMutation, baseVersion?: number): number;
}

function typed(name: SyncMutationName, args: unknown): TypedSyncMutation {
  const parsed = parseMutationArgs(name, args);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', describeZodError(parsed.error));
  return parsed.mutation;
}

/** The edits a campaign change asks for, one per mutation kind, leaving out fields that would not change. */
function campaignMutations(campaign: LocalCampaign, changes: CampaignChanges): TypedSyncMutation[] {
  const mutations: TypedSyncMutation[] = [];
  const campaignId = campaign.id;
  if (changes.name !== undefined && changes.name !== campaign.name) {
    mutations.push(typed('campaign.rename', { campaignId, name: changes.name }));
  }
  if (changes.status !== undefined && changes.status !== campaign.status) {
    mutations.push(typed('campaign.setStatus', { campaignId, status: changes.status }));
  }
  const budgetType = changes.budgetType ?? campaign.budgetType;
  const budgetMicros = changes.budgetMicros ?? campaign.budgetMicros;
  if (budgetType !== campaign.budgetType || budgetMicros !== campaign.budgetMicros) {
    mutations.push(typed('campaign.setBudget', { campaignId, budgetType, budgetMicros }));
  }
  const startDate = changes.startDate ?? campaign.startDate;
  const endDate = changes.endDate !== undefined ? changes.endDate : campaign.endDate;
  if (startDate !== campaign.startDate || endDate !== campaign.endDate) {
    mutations.push(typed('campaign.setSchedule', { campaignId, startDate, endDate }));
  }
  return mutations;
}

/**
 * The logic behind campaigns.update and adCopies.update: each edit changes the local row and queues its
 * mutation(s) in ONE SQLite transaction, so a crash can never leave a change that will not be sent, nor a
 * queued change the screen does not show.
 */
export function createLocalEdits({ sqlite, now }: LocalEditsDeps): LocalEdits {
  const versionOf = (mutation: TypedSyncMutation): number | null => {
    const field = VERSIONED_MUTATIONS[mutation.name];
    if (field === undefined || mutation.name === 'adCopy.updateText') return null;
    const campaign = readCampaign(sqlite, mutation.args.campaignId);
    if (campaign === undefined) return null;
    return field === 'status' ? campaign.statusVersion : campaign.budgetVersion;
  };

  const commit = sqlite.transaction((mutations: readonly { mutation: TypedSyncMutation; base?: number }[]) => {
    const at = now().toISOString();
    const ids: number[] = [];
    for (const { mutation, base } of mutations) {
      // The base is read before this mutation is applied: it is the version the user edited from.
      const baseVersion = base ?? versionOf(mutation);
      ids.push(enqueueMutation(sqlite, mutation, baseVersion, at));
      applyMutationLocally(sqlite, mutation, at);
    }
    return ids;
  });

  return {
    updateCampaign({ campaignId, changes }) {
      const campaign = readCampaign(sqlite, campaignId);
      if (campaign === undefined) {
        throw new AppError(
          'NOT_FOUND',
          'That campaign is not on this device any more; refresh the list and try again.',
        );
      }
      commit(campaignMutations(campaign, changes).map((mutation) => ({ mutation })));
      const { statusVersion: _s, budgetVersion: _b, ...updated } = readCampaign(sqlite, campaignId) as LocalCampaign;
      return { campaign: updated, pendingCount: countPending(sqlite) };
    },

    updateAdCopy({ adCopyId, changes }) {
      const copy = readAdCopy(sqlite, adCopyId);
      if (copy === undefined) {
        throw new AppError('NOT_FOUND', 'That ad copy is not on this device any more; refresh the page and try again.');
      }
      const args: Record<string, string> = {};
      if (changes.headline !== undefined && changes.headline !== copy.headline) args.headline = changes.headline;
      if (changes.primaryText !== undefined && changes.primaryText !== copy.primaryText) {
        args.primaryText = changes.primaryText;
      }
      if (changes.callToAction !== undefined && changes.callToAction !== copy.callToAction) {
        args.callToAction = changes.callToAction;
      }
      if (Object.keys(args).length > 0) commit([{ mutation: typed('adCopy.updateText', { adCopyId, ...args }) }]);
      return { copy: readAdCopy(sqlite, adCopyId) as AdCopy, pendingCount: countPending(sqlite) };
    },

    enqueue(mutation, baseVersion) {
      const [id] = commit([{ mutation, base: baseVersion }]);
      return id as number;
    },
  };
}
