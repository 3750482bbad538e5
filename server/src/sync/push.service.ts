import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { AppError, appErrorSchema } from '@kiki/shared/errors';
import { can, type Grant } from '@kiki/shared/permissions';
import type {
  GapDetails,
  MutationResult,
  PushRequest,
  PushResponse,
  SyncChanges,
  WireMutation,
} from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../db/database';
import { applyMutation, type MutationOutcome, type MutationTarget } from './apply-mutation';
import { auditForeignDevice, ownDevice } from './device.service';
import { loadGrants } from '../plugins/rbac';
import { currentSyncVersion, type SyncActor } from './sync-access';
import { emptyChanges, toSyncAdCopy, toSyncApproval, toSyncCampaign } from './sync-rows';

/** What sync_mutation_results keeps: the outcome without rows, which are re-read fresh on a replay. */
const storedOutcomeSchema = z.object({
  status: z.enum(['applied', 'approval_requested', 'rejected']),
  error: appErrorSchema.optional(),
  approvalId: z.uuid().optional(),
  target: z.object({ entity: z.enum(['campaign', 'adCopy']), id: z.uuid() }).optional(),
});

/** PostgreSQL deadlock and serialization failures: the transaction did nothing and may simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/**
 * Current server state of the rows a mutation targeted, if the user can still read them: the device
 * replaces its optimistic local version with these. Re-read on every answer (replays too), so a resent
 * mutation never brings back stale values.
 */
async function targetRows(
  db: Kysely<Database>,
  orgId: string,
  grants: readonly Grant[],
  outcome: MutationOutcome,
): Promise<SyncChanges | undefined> {
  const target: MutationTarget | undefined = outcome.target;
  if (target === undefined) return undefined;
  const changes = emptyChanges();
  let campaignId = target.id;
  if (target.entity === 'adCopy') {
    const copy = await db
      .selectFrom('ad_copies')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', target.id)
      .executeTakeFirst();
    if (copy === undefined) return undefined;
    changes.adCopies.push(toSyncAdCopy(copy));
    campaignId = copy.campaign_id;
  }
  const campaign = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (campaign === undefined || !can(grants, 'clients.read', campaign.client_id)) return undefined;
  if (target.entity === 'campaign') changes.campaigns.push(toSyncCampaign(campaign));
  if (outcome.approvalId !== undefined) {
    const approval = await db
      .selectFrom('approvals')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', outcome.approvalId)
      .executeTakeFirst();
    if (approval !== undefined) changes.approvals.push(toSyncApproval(approval));
  }
  return changes;
}

function toResult(id: number, outcome: MutationOutcome, duplicate: boolean, rows: SyncChanges | undefined) {
  const result: MutationResult = { id, status: outcome.status, duplicate };
  if (outcome.error !== undefined) result.error = outcome.error;
  if (outcome.approvalId !== undefined) result.approvalId = outcome.approvalId;
  if (rows !== undefined) result.rows = rows;
  return result;
}

/** A resent mutation: answer with what was decided the first time, without applying anything again. */
async function replay(
  trx: Transaction<Database>,
  actor: SyncActor,
  grants: readonly Grant[],
  deviceId: string,
  mutation: WireMutation,
): Promise<MutationResult> {
  const stored = await trx
    .selectFrom('sync_mutation_results')
    .select('result')
    .where('device_id', '=', deviceId)
    .where('mutation_id', '=', mutation.id)
    .executeTakeFirst();
  const parsed = storedOutcomeSchema.safeParse(stored?.result);
  if (!parsed.success) {
    // Results are kept for the sync retention window; an older resend has nothing left to replay.
    return toResult(
      mutation.id,
      {
        status: 'rejected',
        error: {
          code: 'NOT_FOUND',
          message:
            'This change was processed long ago and its result is no longer kept; the next sync shows the server state.',
        },
      },
      true,
      undefined,
    );
  }
  const outcome: MutationOutcome = parsed.data;
  return toResult(mutation.id, outcome, true, await targetRows(trx, actor.orgId, grants, outcome));
}

type Step = { kind: 'result'; result: MutationResult } | { kind: 'gap'; expected: number };

/**
 * One mutation, one transaction. READ COMMITTED is enough because every decision is made on locked rows
 * (the device row FOR UPDATE, then the target row FOR NO KEY UPDATE): a locked row read in READ COMMITTED
 * is the latest committed version and cannot change before this commit, so the duplicate check, the
 * baseVersion check and the update cannot race another writer. The agency's version row, locked by the change triggers,
 * orders the commits for pull. SERIALIZABLE would only add retries here.
 */
async function processMutation(
  db: Kysely<Database>,
  actor: SyncActor,
  deviceId: string,
  mutation: WireMutation,
): Promise<Step> {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const device = await ownDevice(trx, actor, deviceId, { forUpdate: true });
      // Grants are read per mutation: a grant revoked in the middle of a long push stops the rest.
      const grants = await loadGrants(trx, actor.orgId, actor.userId);
      if (mutation.id <= device.last_mutation_id) {
        return { kind: 'result', result: await replay(trx, actor, grants, deviceId, mutation) };
      }
      if (mutation.id > device.last_mutation_id + 1) return { kind: 'gap', expected: device.last_mutation_id + 1 };

      const outcome = await applyMutation(trx, { actor, deviceId, grants }, mutation);
      return { kind: 'result', result: await recordOutcome(trx, actor, grants, deviceId, mutation, outcome) };
    });
}

/** Stores the outcome for replays and acknowledges the mutation. */
async function recordOutcome(
  trx: Transaction<Database>,
  actor: SyncActor,
  grants: readonly Grant[],
  deviceId: string,
  mutation: WireMutation,
  outcome: MutationOutcome,
): Promise<MutationResult> {
  await trx
    .insertInto('sync_mutation_results')
    .values({
      device_id: deviceId,
      mutation_id: mutation.id,
      status: outcome.status,
      result: JSON.stringify(storedOutcomeSchema.parse(outcome)),
    })
    .execute();
  // A rejected mutation advances the device too: the queue never jams on a change the server refused.
  await trx
    .updateTable('sync_devices')
    .set({ last_mutation_id: mutation.id, last_seen_at: new Date() })
    .where('id', '=', deviceId)
    .execute();
  const rows = await targetRows(trx, actor.orgId, grants, outcome);
  return toResult(mutation.id, outcome, false, rows);
}

/**
 * SQLSTATE classes 22 (data exception: a value PostgreSQL cannot store, such as a NUL character or year 0) and
 * 23 (integrity constraint: a CHECK the args' schema does not know). Sending the same args again fails the same
 * way, so these are the mutation's fault, not the server's.
 */
function isDataRejection(error: unknown): error is { code: string; message?: unknown } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * The mutation's transaction rolled back on a data error: store a rejection in a fresh one, so the device's
 * queue moves on instead of resending a change that can never be written.
 */
async function rejectMutation(
  db: Kysely<Database>,
  actor: SyncActor,
  deviceId: string,
  mutation: WireMutation,
  error: { code: string; message?: unknown },
): Promise<Step> {
  const detail = typeof error.message === 'string' && error.message !== '' ? error.message : `SQLSTATE ${error.code}`;
  const outcome: MutationOutcome = {
    status: 'rejected',
    error: {
      code: 'VALIDATION_FAILED',
      message: `The server cannot store this change (${detail}); correct the value and make the edit again.`,
    },
  };
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const device = await ownDevice(trx, actor, deviceId, { forUpdate: true });
      const grants = await loadGrants(trx, actor.orgId, actor.userId);
      // Another push of the same device may have got there first; answer as it did.
      if (mutation.id <= device.last_mutation_id) {
        return { kind: 'result', result: await replay(trx, actor, grants, deviceId, mutation) };
      }
      if (mutation.id > device.last_mutation_id + 1) return { kind: 'gap', expected: device.last_mutation_id + 1 };
      return { kind: 'result', result: await recordOutcome(trx, actor, grants, deviceId, mutation, outcome) };
    });
}

async function processWithRetry(
  db: Kysely<Database>,
  actor: SyncActor,
  deviceId: string,
  mutation: WireMutation,
): Promise<Step> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await processMutation(db, actor, deviceId, mutation);
    } catch (error) {
      if (isDataRejection(error)) return rejectMutation(db, actor, deviceId, mutation, error);
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * DESIGN.md section 4's push: mutations in order, each in its own transaction, duplicates replayed,
 * gaps refused before anything is applied.
 */
export async function pushMutations(
  db: Kysely<Database>,
  actor: SyncActor,
  request: PushRequest,
): Promise<PushResponse> {
  return auditForeignDevice(db, actor, request.deviceId, () => pushInOrder(db, actor, request));
}

async function pushInOrder(db: Kysely<Database>, actor: SyncActor, request: PushRequest): Promise<PushResponse> {
  const first = request.mutations[0];
  if (first === undefined) throw new AppError('VALIDATION_FAILED', 'Send at least one mutation.');
  request.mutations.forEach((m, i) => {
    if (m.id !== first.id + i) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Mutation ids in one push must be consecutive: expected ${first.id + i} at position ${i}, got ${m.id}.`,
      );
    }
  });
  const device = await ownDevice(db, actor, request.deviceId);
  if (first.id > device.last_mutation_id + 1) {
    throw new AppError(
      'SYNC_GAP',
      `The server has processed changes up to ${device.last_mutation_id}; send from ${device.last_mutation_id + 1} on.`,
      { expectedMutationId: device.last_mutation_id + 1, receivedMutationId: first.id } satisfies GapDetails,
    );
  }

  const results: MutationResult[] = [];
  for (const mutation of request.mutations) {
    const step = await processWithRetry(db, actor, request.deviceId, mutation);
    // Only another push moving the device backwards could cause this; stop and let the device resend.
    if (step.kind === 'gap') break;
    results.push(step.result);
  }
  const after = await ownDevice(db, actor, request.deviceId);
  const { version } = await currentSyncVersion(db, actor.orgId);
  return { results, lastAckedMutationId: after.last_mutation_id, serverVersion: version };
}
