import { z } from 'zod';
import { appErrorSchema } from '../errors';
import { isoDateSchema } from '../dates';
import { microsSchema } from '../money';
import { clientSchema } from '../domain/client.schema';
import { adSchema, campaignSchema, platformDeploymentSchema } from '../domain/campaign.schema';
import { adCopySchema, imagePromptSchema, videoPromptSchema } from '../domain/creative.schema';
import { platformSchema } from '../domain/platform.schema';
import { syncMutationNameSchema } from './sync-mutations';

/**
 * Wire protocol between a desktop ("device", DESIGN §4's per-install clientId) and the team server.
 * Full prose in docs/sync-protocol.md. Every sync request carries SYNC_SCHEMA_VERSION_HEADER; a device
 * outside [MIN_SUPPORTED, CURRENT] gets 426 UPDATE_REQUIRED rather than data it would misread.
 */
export const SYNC_PROTOCOL_VERSION = 2;
/** 2: metrics pages carry rows grouped per ad, column by column (metricWireAdSchema) instead of one tuple per row. */
export const SYNC_MIN_SUPPORTED_VERSION = 2;
export const SYNC_SCHEMA_VERSION_HEADER = 'x-kiki-schema-version';

/** Path prefix of every sync endpoint; the version in the path changes only on an incompatible redesign. */
export const SYNC_BASE_PATH = '/api/v1/sync';
export const SYNC_PATHS = {
  register: `${SYNC_BASE_PATH}/register`,
  push: `${SYNC_BASE_PATH}/push`,
  pull: `${SYNC_BASE_PATH}/pull`,
  metricsPull: `${SYNC_BASE_PATH}/metrics/pull`,
  metricsIngest: `${SYNC_BASE_PATH}/metrics/ingest`,
  live: `${SYNC_BASE_PATH}/live`,
} as const;

export const PUSH_MAX_MUTATIONS = 200;
export const PULL_MAX_ROWS = 2000;
export const METRICS_PAGE_MAX_ROWS = 50_000;
export const METRICS_INGEST_MAX_ROWS = 50_000;
/** Metrics older than this many months (from the advertiser's today) are neither served nor kept. */
export const METRICS_WINDOW_MONTHS = 25;
/** The snapshot sends the most recent days first, so the default dashboard fills before history. */
export const METRICS_RECENT_DAYS = 35;

const deviceIdSchema = z.uuid();
const versionSchema = z.number().int().nonnegative().safe();
const mutationIdSchema = z.number().int().positive().safe();

// ---------------------------------------------------------------------------------------------------
// Register: a device (one per install and sign-in) announces itself before its first push.

export const registerRequestSchema = z.strictObject({
  deviceId: deviceIdSchema,
  /** Highest outbox id the device will never send: its next mutation is this + 1 (ids are never reused). */
  lastMutationId: z.number().int().nonnegative().safe(),
  deviceName: z.string().trim().max(200).optional(),
});
export const registerResponseSchema = z.object({
  deviceId: deviceIdSchema,
  /** Server's view; equals the request's lastMutationId on first registration. */
  lastAckedMutationId: z.number().int().nonnegative(),
  serverVersion: versionSchema,
});

// ---------------------------------------------------------------------------------------------------
// Entity rows as they travel (server state). `version` fields are the per-field optimistic-concurrency
// counters that budget and status mutations quote as baseVersion.

export const syncClientRowSchema = clientSchema.extend({
  budgetApprovalThresholdMicros: microsSchema.nullable(),
  updatedAt: z.iso.datetime(),
});
export const syncCampaignRowSchema = campaignSchema.extend({
  statusVersion: versionSchema,
  budgetVersion: versionSchema,
  createdAt: z.iso.datetime(),
});
export const syncAdCopyRowSchema = adCopySchema;
export const syncImagePromptRowSchema = imagePromptSchema;
export const syncVideoPromptRowSchema = videoPromptSchema;
export const syncDeploymentRowSchema = platformDeploymentSchema.extend({ updatedAt: z.iso.datetime() });
export const syncAdRowSchema = adSchema.extend({ createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() });
export const syncApprovalRowSchema = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  campaignId: z.uuid(),
  kind: z.literal('budget_change'),
  status: z.enum(['pending', 'approved', 'rejected', 'cancelled']),
  requestedBy: z.uuid(),
  decidedBy: z.uuid().nullable(),
  /** For budget_change: { budgetType, budgetMicros, previousBudgetType, previousBudgetMicros }. */
  payload: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
});

/** Entity kinds in dependency order: a device applies upserts in this order and deletions in reverse. */
export const syncEntityTypeSchema = z.enum([
  'client',
  'campaign',
  'adCopy',
  'imagePrompt',
  'videoPrompt',
  'deployment',
  'ad',
  'approval',
]);
export type SyncEntityType = z.infer<typeof syncEntityTypeSchema>;

export const syncChangesSchema = z.object({
  clients: z.array(syncClientRowSchema).default([]),
  campaigns: z.array(syncCampaignRowSchema).default([]),
  adCopies: z.array(syncAdCopyRowSchema).default([]),
  imagePrompts: z.array(syncImagePromptRowSchema).default([]),
  videoPrompts: z.array(syncVideoPromptRowSchema).default([]),
  deployments: z.array(syncDeploymentRowSchema).default([]),
  ads: z.array(syncAdRowSchema).default([]),
  approvals: z.array(syncApprovalRowSchema).default([]),
});
export type SyncChanges = z.infer<typeof syncChangesSchema>;

export const tombstoneSchema = z.object({ entity: syncEntityTypeSchema, id: z.uuid() });
export type Tombstone = z.infer<typeof tombstoneSchema>;

// ---------------------------------------------------------------------------------------------------
// Push

export const wireMutationSchema = z.strictObject({
  /** Per-device, strictly increasing by exactly 1, never reused. */
  id: mutationIdSchema,
  name: syncMutationNameSchema,
  /** Validated per name by the server; invalid args are a per-mutation rejection, never a jammed queue. */
  args: z.unknown(),
  /** Required for versioned mutations (status, budget): the field version the user edited from. */
  baseVersion: versionSchema.optional(),
  /** When the user made the edit (device clock); informational, for audit. */
  createdAt: z.iso.datetime(),
});
export type WireMutation = z.infer<typeof wireMutationSchema>;

export const pushRequestSchema = z.strictObject({
  deviceId: deviceIdSchema,
  mutations: z.array(wireMutationSchema).min(1).max(PUSH_MAX_MUTATIONS),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const mutationResultSchema = z.object({
  id: mutationIdSchema,
  /**
   * applied: the change is in. approval_requested: a budget over the client's threshold became an approval
   * request (`approvalId`); the budget itself is unchanged until someone approves. rejected: `error` says
   * why (FORBIDDEN, NOT_FOUND, VALIDATION_FAILED, or CONFLICT with ConflictDetails).
   */
  status: z.enum(['applied', 'approval_requested', 'rejected']),
  /** True when this id had been processed before (lost acknowledgement); the stored result is replayed. */
  duplicate: z.boolean(),
  error: appErrorSchema.optional(),
  approvalId: z.uuid().optional(),
  /** Server state, after this mutation, of the rows it targeted that the user can still read. */
  rows: syncChangesSchema.optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

/** `error.details` of a CONFLICT result. */
export const conflictDetailsSchema = z.object({
  field: z.enum(['status', 'budget']),
  entity: z.literal('campaign'),
  entityId: z.uuid(),
  /** What the device wanted, and what the server has now (for budget: { budgetType, budgetMicros }). */
  yours: z.unknown(),
  theirs: z.unknown(),
  /** Quote this as baseVersion to overwrite theirs deliberately. */
  serverVersion: versionSchema,
});
export type ConflictDetails = z.infer<typeof conflictDetailsSchema>;

export const pushResponseSchema = z.object({
  results: z.array(mutationResultSchema),
  lastAckedMutationId: z.number().int().nonnegative(),
  serverVersion: versionSchema,
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** `error.details` of a 409 SYNC_GAP: the whole push is refused; nothing was applied. */
export const gapDetailsSchema = z.object({
  expectedMutationId: mutationIdSchema,
  receivedMutationId: mutationIdSchema,
});
export type GapDetails = z.infer<typeof gapDetailsSchema>;

// ---------------------------------------------------------------------------------------------------
// Pull

export const pullRequestSchema = z.strictObject({
  deviceId: deviceIdSchema,
  /** Opaque; null for a first pull or after resetRequired. */
  cursor: z.string().min(1).max(512).nullable(),
  /** Advertiser clients the device holds rows for: the server answers with scopesRevoked/added from these. */
  knownClientIds: z.array(z.uuid()).max(10_000),
  limit: z.number().int().min(1).max(PULL_MAX_ROWS).optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

export const pullResponseSchema = z.object({
  cursor: z.string(),
  /** More pages wait: pull again with `cursor` before pushing new work. */
  hasMore: z.boolean(),
  /** The cursor is older than tombstone retention: drop every synced row and pull from null. */
  resetRequired: z.boolean(),
  changes: syncChangesSchema,
  tombstones: z.array(tombstoneSchema),
  /** Advertiser clients the user can no longer read: purge their rows (metrics included). */
  scopesRevoked: z.array(z.uuid()),
  /** Every advertiser client the user can read now (the device syncs metrics for exactly these). */
  readableClientIds: z.array(z.uuid()),
  lastAckedMutationId: z.number().int().nonnegative(),
  serverVersion: versionSchema,
  /** Rough progress of a snapshot (first pull), for the progress bar. */
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional(),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Metrics: bulk ingest, and a paged pull per advertiser client (snapshot recent-first, then deltas).

const countSchema = z.number().int().nonnegative().safe();
/** Days after the page's windowStart; far above any window, only a guard against nonsense. */
export const METRIC_WIRE_MAX_DAY = 100_000;

/**
 * One ad's rows in a metrics page, column by column, so a million-row snapshot is ~1,400 of these rather than a
 * million tuples: the ad id and platform go once per ad and each date as a small integer (about a quarter of the
 * bytes, and a page parses ~3.5x faster; docs/sync-protocol.md "Page format"). `days` counts days after the
 * page's `windowStart` (0 is windowStart itself), each at most once; they usually rise (the server sends key
 * order) but need not. Each metric array has one value per day, in the same order.
 */
export const metricWireAdSchema = z
  .tuple([
    z.uuid(), // adId
    platformSchema,
    z.array(z.number().int().nonnegative().max(METRIC_WIRE_MAX_DAY)), // days after windowStart
    z.array(countSchema), // impressions
    z.array(countSchema), // clicks
    z.array(microsSchema), // spendMicros
    z.array(countSchema), // conversions
    z.array(microsSchema), // revenueMicros
  ])
  .superRefine(([, , days, ...metrics], ctx) => {
    if (days.length === 0) ctx.addIssue({ code: 'custom', message: 'an ad must have at least one day', path: [2] });
    for (const [i, values] of metrics.entries()) {
      if (values.length !== days.length) {
        ctx.addIssue({ code: 'custom', message: `has ${values.length} values for ${days.length} days`, path: [3 + i] });
      }
    }
    if (new Set(days).size !== days.length) {
      ctx.addIssue({ code: 'custom', message: 'a day appears twice for one ad', path: [2] });
    }
  });
export type MetricWireAd = z.infer<typeof metricWireAdSchema>;

export const metricsPullRequestSchema = z.strictObject({
  deviceId: deviceIdSchema,
  /** The advertiser client whose metrics to pull. */
  clientId: z.uuid(),
  /** Opaque; null starts a snapshot. */
  cursor: z.string().min(1).max(512).nullable(),
  limit: z.number().int().min(1).max(METRICS_PAGE_MAX_ROWS).optional(),
});
export type MetricsPullRequest = z.infer<typeof metricsPullRequestSchema>;

export const metricsPullResponseSchema = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  /** recent: last METRICS_RECENT_DAYS of the snapshot; history: the rest of the window; delta: changes since. */
  phase: z.enum(['recent', 'history', 'delta']),
  /** First day of the window; the device deletes older rows of this client. */
  windowStart: isoDateSchema,
  /** This page's rows, grouped per (ad, platform) in key order; a page may end inside an ad's days. */
  ads: z.array(metricWireAdSchema),
  /** Rows of this client's snapshot sent so far, of about `total`. */
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** The snapshot cursor is older than retention or the window moved: restart the snapshot with null. */
  resetRequired: z.boolean(),
});
export type MetricsPullResponse = z.infer<typeof metricsPullResponseSchema>;

export const metricIngestRowSchema = z.strictObject({
  adId: z.uuid(),
  platform: platformSchema,
  date: isoDateSchema,
  impressions: z.number().int().nonnegative().safe(),
  clicks: z.number().int().nonnegative().safe(),
  spendMicros: microsSchema.nonnegative(),
  conversions: z.number().int().nonnegative().safe(),
  revenueMicros: microsSchema,
});
export const metricsIngestRequestSchema = z.strictObject({
  rows: z.array(metricIngestRowSchema).min(1).max(METRICS_INGEST_MAX_ROWS),
});
export const metricsIngestResponseSchema = z.object({ upserted: z.number().int(), serverVersion: versionSchema });

// ---------------------------------------------------------------------------------------------------
// Live: GET SYNC_PATHS.live upgrades to a WebSocket (Authorization: Bearer + schema version header).
// The server only pokes; the device then pushes and pulls. Close code 4401 = access token expired or
// revoked (refresh, reconnect); 4426 = update required.

export const livePokeSchema = z.object({
  type: z.literal('poke'),
  /** The agency version that caused the poke; a device already past it may skip the pull. */
  serverVersion: versionSchema,
});
export const liveHelloSchema = z.object({ type: z.literal('hello'), serverVersion: versionSchema });
export const liveMessageSchema = z.discriminatedUnion('type', [livePokeSchema, liveHelloSchema]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;
export const LIVE_CLOSE_UNAUTHENTICATED = 4401;
export const LIVE_CLOSE_UPDATE_REQUIRED = 4426;
