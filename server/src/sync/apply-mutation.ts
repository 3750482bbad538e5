import { sql, type Transaction } from 'kysely';
import { describeZodError, type AppErrorShape, type ErrorCode } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { can, type Grant, type Permission } from '@kiki/shared/permissions';
import type { ConflictDetails, WireMutation } from '@kiki/shared/sync/sync-protocol';
import { parseMutationArgs, VERSIONED_MUTATIONS, type TypedSyncMutation } from '@kiki/shared/sync/sync-mutations';
import { appendAudit } from '../audit/audit.service';
import type { CampaignRow, Database } from '../db/database';
import type { SyncActor } from './sync-access';

/** The row a mutation aimed at: its server state travels back with the result. */
export interface MutationTarget {
  entity: 'campaign' | 'adCopy';
  id: string;
}

/** What a mutation came to, before it is stored and acknowledged. */
export interface MutationOutcome {
  status: 'applied' | 'approval_requested' | 'rejected';
  error?: AppErrorShape;
  approvalId?: string;
  target?: MutationTarget;
}

export interface MutationContext {
  actor: SyncActor;
  deviceId: string;
  grants: readonly Grant[];
}

const PERMISSION_FOR: Record<TypedSyncMutation['name'], Permission> = {
  'campaign.rename': 'campaigns.edit',
  'campaign.setStatus': 'campaigns.edit',
  'campaign.setBudget': 'budgets.request',
  'campaign.setSchedule': 'campaigns.edit',
  'adCopy.updateText': 'campaigns.edit',
};

function rejected(code: ErrorCode, message: string, target?: MutationTarget, details?: unknown): MutationOutcome {
  const error: AppErrorShape = details === undefined ? { code, message } : { code, message, details };
  return { status: 'rejected', error, ...(target === undefined ? {} : { target }) };
}

/** Refusals a security review wants to see (someone reached for a row they may not touch) go to the audit log. */
async function rejectAudited(
  trx: Transaction<Database>,
  ctx: MutationContext,
  mutation: WireMutation,
  outcome: MutationOutcome,
  entityType: string,
  entityId: string,
): Promise<MutationOutcome> {
  await appendAudit(trx, {
    orgId: ctx.actor.orgId,
    actorUserId: ctx.actor.userId,
    action: 'sync.mutation_rejected',
    entityType,
    entityId,
    data: {
      deviceId: ctx.deviceId,
      mutationId: mutation.id,
      mutation: mutation.name,
      reason: outcome.error?.code,
    },
    ip: ctx.actor.ip,
    requestId: ctx.actor.requestId,
  });
  return outcome;
}

async function audited(
  trx: Transaction<Database>,
  ctx: MutationContext,
  mutation: WireMutation,
  action: string,
  entity: { type: string; id: string },
  change: { before: Record<string, unknown>; after: Record<string, unknown> },
): Promise<void> {
  await appendAudit(trx, {
    orgId: ctx.actor.orgId,
    actorUserId: ctx.actor.userId,
    action,
    entityType: entity.type,
    entityId: entity.id,
    data: {
      deviceId: ctx.deviceId,
      mutationId: mutation.id,
      editedAt: mutation.createdAt,
      before: change.before,
      after: change.after,
    },
    ip: ctx.actor.ip,
    requestId: ctx.actor.requestId,
  });
}

function conflict(
  campaign: CampaignRow,
  field: 'status' | 'budget',
  yours: unknown,
  theirs: unknown,
  serverVersion: number,
): MutationOutcome {
  const details: ConflictDetails = { field, entity: 'campaign', entityId: campaign.id, yours, theirs, serverVersion };
  const what = field === 'status' ? 'status' : 'budget';
  return rejected(
    'CONFLICT',
    `Someone else changed the ${what} of "${campaign.name}" since you edited it: choose which value to keep.`,
    { entity: 'campaign', id: campaign.id },
    details,
  );
}

type CampaignMutation = Exclude<TypedSyncMutation, { name: 'adCopy.updateText' }>;

async function applyCampaignMutation(
  trx: Transaction<Database>,
  ctx: MutationContext,
  wire: WireMutation,
  mutation: CampaignMutation,
): Promise<MutationOutcome> {
  const target: MutationTarget = { entity: 'campaign', id: mutation.args.campaignId };
  // The row lock is held to commit: the version check below and the update see the same, latest row.
  // NO KEY UPDATE, not UPDATE: a metric ingest's foreign-key checks take KEY SHARE on campaigns while it holds
  // the agency's version row, and a FOR UPDATE here would deadlock with it.
  const campaign = await trx
    .selectFrom('campaigns')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', mutation.args.campaignId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (campaign === undefined) {
    // Another agency's campaign answers exactly like a missing one, so ids cannot be probed.
    const outcome = rejected('NOT_FOUND', 'This campaign no longer exists in your agency; your change was dropped.');
    return rejectAudited(trx, ctx, wire, outcome, 'campaign', mutation.args.campaignId);
  }
  const permission = PERMISSION_FOR[mutation.name];
  if (!can(ctx.grants, permission, campaign.client_id)) {
    const outcome = rejected(
      'FORBIDDEN',
      `Your role does not allow this change (${permission}) for this client; ask an agency admin.`,
      target,
    );
    return rejectAudited(trx, ctx, wire, outcome, 'campaign', campaign.id);
  }

  const field = VERSIONED_MUTATIONS[mutation.name];
  if (field !== undefined) {
    const serverVersion = field === 'status' ? campaign.status_version : campaign.budget_version;
    if (wire.baseVersion !== serverVersion) {
      if (mutation.name === 'campaign.setStatus') {
        return conflict(campaign, 'status', mutation.args.status, campaign.status, serverVersion);
      }
      if (mutation.name === 'campaign.setBudget') {
        return conflict(
          campaign,
          'budget',
          { budgetType: mutation.args.budgetType, budgetMicros: mutation.args.budgetMicros },
          { budgetType: campaign.budget_type, budgetMicros: campaign.budget_micros },
          serverVersion,
        );
      }
    }
  }

  const entity = { type: 'campaign', id: campaign.id };
  const touch = { updated_at: sql<Date>`now()` };
  switch (mutation.name) {
    case 'campaign.rename': {
      const { name } = mutation.args;
      await trx
        .updateTable('campaigns')
        .set({ name, ...touch })
        .where('id', '=', campaign.id)
        .execute();
      await audited(trx, ctx, wire, 'campaign.renamed', entity, { before: { name: campaign.name }, after: { name } });
      return { status: 'applied', target };
    }
    case 'campaign.setStatus': {
      const { status } = mutation.args;
      await trx
        .updateTable('campaigns')
        .set({ status, ...touch })
        .where('id', '=', campaign.id)
        .execute();
      await audited(trx, ctx, wire, 'campaign.status_changed', entity, {
        before: { status: campaign.status },
        after: { status },
      });
      return { status: 'applied', target };
    }
    case 'campaign.setSchedule': {
      const { startDate, endDate } = mutation.args;
      await trx
        .updateTable('campaigns')
        .set({ start_date: startDate, end_date: endDate, ...touch })
        .where('id', '=', campaign.id)
        .execute();
      await audited(trx, ctx, wire, 'campaign.schedule_changed', entity, {
        before: { startDate: campaign.start_date, endDate: campaign.end_date },
        after: { startDate, endDate },
      });
      return { status: 'applied', target };
    }
    case 'campaign.setBudget':
      return applyBudget(trx, ctx, wire, campaign, mutation.args);
  }
}

async function applyBudget(
  trx: Transaction<Database>,
  ctx: MutationContext,
  wire: WireMutation,
  campaign: CampaignRow,
  args: { budgetType: CampaignRow['budget_type']; budgetMicros: number },
): Promise<MutationOutcome> {
  const target: MutationTarget = { entity: 'campaign', id: campaign.id };
  const before = { budgetType: campaign.budget_type, budgetMicros: campaign.budget_micros };
  const after = { budgetType: args.budgetType, budgetMicros: args.budgetMicros };
  const client = await trx
    .selectFrom('clients')
    .select('budget_approval_threshold_micros')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', campaign.client_id)
    .executeTakeFirstOrThrow();
  const threshold = client.budget_approval_threshold_micros;
  if (threshold !== null && args.budgetMicros > threshold) {
    const approvalId = newId();
    const payload = {
      budgetType: args.budgetType,
      budgetMicros: args.budgetMicros,
      previousBudgetType: campaign.budget_type,
      previousBudgetMicros: campaign.budget_micros,
    };
    await trx
      .insertInto('approvals')
      .values({
        id: approvalId,
        org_id: ctx.actor.orgId,
        client_id: campaign.client_id,
        campaign_id: campaign.id,
        kind: 'budget_change',
        status: 'pending',
        requested_by: ctx.actor.userId,
        payload: JSON.stringify(payload),
      })
      .execute();
    await audited(trx, ctx, wire, 'approval.requested', { type: 'approval', id: approvalId }, { before, after });
    return { status: 'approval_requested', approvalId, target };
  }
  await trx
    .updateTable('campaigns')
    .set({ budget_type: args.budgetType, budget_micros: args.budgetMicros, updated_at: sql<Date>`now()` })
    .where('id', '=', campaign.id)
    .execute();
  await audited(trx, ctx, wire, 'campaign.budget_changed', { type: 'campaign', id: campaign.id }, { before, after });
  return { status: 'applied', target };
}

async function applyAdCopyText(
  trx: Transaction<Database>,
  ctx: MutationContext,
  wire: WireMutation,
  args: Extract<TypedSyncMutation, { name: 'adCopy.updateText' }>['args'],
): Promise<MutationOutcome> {
  const target: MutationTarget = { entity: 'adCopy', id: args.adCopyId };
  const copy = await trx
    .selectFrom('ad_copies')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', args.adCopyId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  const campaign =
    copy === undefined
      ? undefined
      : await trx
          .selectFrom('campaigns')
          .select('client_id')
          .where('org_id', '=', ctx.actor.orgId)
          .where('id', '=', copy.campaign_id)
          .executeTakeFirst();
  if (copy === undefined || campaign === undefined) {
    const outcome = rejected('NOT_FOUND', 'This ad copy no longer exists in your agency; your change was dropped.');
    return rejectAudited(trx, ctx, wire, outcome, 'ad_copy', args.adCopyId);
  }
  if (!can(ctx.grants, 'campaigns.edit', campaign.client_id)) {
    const outcome = rejected(
      'FORBIDDEN',
      'Your role does not allow editing ad copy (campaigns.edit) for this client; ask an agency admin.',
      target,
    );
    return rejectAudited(trx, ctx, wire, outcome, 'ad_copy', copy.id);
  }
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const set: { headline?: string; primary_text?: string; call_to_action?: string } = {};
  if (args.headline !== undefined) {
    set.headline = args.headline;
    before.headline = copy.headline;
    after.headline = args.headline;
  }
  if (args.primaryText !== undefined) {
    set.primary_text = args.primaryText;
    before.primaryText = copy.primary_text;
    after.primaryText = args.primaryText;
  }
  if (args.callToAction !== undefined) {
    set.call_to_action = args.callToAction;
    before.callToAction = copy.call_to_action;
    after.callToAction = args.callToAction;
  }
  await trx.updateTable('ad_copies').set(set).where('id', '=', copy.id).execute();
  await audited(trx, ctx, wire, 'ad_copy.text_changed', { type: 'ad_copy', id: copy.id }, { before, after });
  return { status: 'applied', target };
}

/**
 * Validates, authorizes and applies one mutation inside the caller's transaction. Every refusal is an
 * outcome, never a throw: the device's queue must move on past a change the server will not take.
 */
export async function applyMutation(
  trx: Transaction<Database>,
  ctx: MutationContext,
  wire: WireMutation,
): Promise<MutationOutcome> {
  const parsed = parseMutationArgs(wire.name, wire.args);
  if (!parsed.success) {
    return rejected('VALIDATION_FAILED', `This change is not valid: ${describeZodError(parsed.error)}.`);
  }
  const mutation = parsed.mutation;
  if (VERSIONED_MUTATIONS[mutation.name] !== undefined && wire.baseVersion === undefined) {
    return rejected(
      'VALIDATION_FAILED',
      `${mutation.name} needs baseVersion (the version of the field the user edited); update the app if this repeats.`,
    );
  }
  if (mutation.name === 'adCopy.updateText') return applyAdCopyText(trx, ctx, wire, mutation.args);
  return applyCampaignMutation(trx, ctx, wire, mutation);
}
