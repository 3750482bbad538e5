import { z } from 'zod';
import { appErrorSchema } from '../errors';
import { isoDateSchema } from '../dates';
import { microsSchema } from '../money';
import { roleSchema } from '../permissions';
import { budgetTypeSchema, campaignSchema, campaignStatusSchema } from '../domain/campaign.schema';
import { adCopySchema } from '../domain/creative.schema';
import { adCopyTextFields } from '../sync/sync-mutations';
import { defineMethod, defineEvent, type RpcEventDefinition, type RpcMethodDefinition } from './define';

/**
 * Renderer <-> core methods for signing in to a team server, editing offline and watching sync.
 * Tokens never appear here: core keeps the access token in memory and the refresh token in the OS keychain.
 */

/** http(s) URL of a team server; plain http only for loopback (enforced by core with a clear message). */
export const serverUrlSchema = z
  .string()
  .trim()
  .min(1, 'enter the team server address, e.g. https://kiki.your-agency.com')
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, message: 'enter a full address starting with https://' }));

export const signedInSessionSchema = z.object({
  state: z.literal('signedIn'),
  serverUrl: z.string(),
  user: z.object({ id: z.uuid(), email: z.string(), displayName: z.string() }),
  org: z.object({ id: z.uuid(), name: z.string() }),
  /** The user's grants: `clientIds` null means agency-wide. */
  roles: z.array(z.object({ role: roleSchema, clientIds: z.array(z.uuid()).nullable() })),
});
export const sessionSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('signedOut'), lastServerUrl: z.string().nullable() }),
  signedInSessionSchema,
  /** Signed in before, but the keychain is locked or the refresh token was refused: sign in again. */
  z.object({ state: z.literal('expired'), serverUrl: z.string(), email: z.string(), reason: z.string() }),
]);
export type Session = z.infer<typeof sessionSchema>;

export const syncStatusSchema = z.object({
  connection: z.enum(['signedOut', 'offline', 'connecting', 'online']),
  /** A push or pull is running now. */
  syncing: z.boolean(),
  /** Local edits not yet acknowledged by the server. */
  pendingCount: z.number().int().nonnegative(),
  lastSyncedAt: z.iso.datetime().nullable(),
  /** The last failure, with a message saying what to do; null once a sync succeeds. */
  lastError: appErrorSchema.nullable(),
  /** When the next automatic retry happens (backoff with jitter), if one is scheduled. */
  nextRetryAt: z.iso.datetime().nullable(),
  /** Conflicts and refused changes waiting for the user. */
  issueCount: z.number().int().nonnegative(),
  /** Set while the first (or a reset) download runs. */
  initialSync: z
    .object({
      phase: z.enum(['catalog', 'recentMetrics', 'historyMetrics']),
      done: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      /** The current dashboard's data (catalog + recent metrics) is in: the app is usable. */
      usable: z.boolean(),
    })
    .nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const syncIssueSchema = z.object({
  /** The outbox id of the change the server refused. */
  mutationId: z.number().int().positive(),
  kind: z.enum(['conflict', 'rejected']),
  /** What the user tried, in their words, e.g. "Budget of Spring Sale". */
  summary: z.string(),
  entity: z.object({ type: z.enum(['campaign', 'adCopy']), id: z.uuid(), label: z.string() }),
  /** Human-readable values; for conflicts both are shown and the user picks one. */
  yours: z.string().nullable(),
  theirs: z.string().nullable(),
  error: appErrorSchema,
  at: z.iso.datetime(),
});
export type SyncIssue = z.infer<typeof syncIssueSchema>;

export const campaignChangesSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'a campaign needs a name').max(200).optional(),
    status: campaignStatusSchema.optional(),
    budgetType: budgetTypeSchema.optional(),
    budgetMicros: microsSchema.min(0, 'a budget cannot be negative').max(1e15).optional(),
    startDate: isoDateSchema.optional(),
    endDate: isoDateSchema.nullable().optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'nothing to change' })
  .refine((c) => (c.budgetType === undefined) === (c.budgetMicros === undefined), {
    message: 'send budgetType and budgetMicros together',
    path: ['budgetMicros'],
  });

export const adCopyChangesSchema = z
  .strictObject(adCopyTextFields)
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'nothing to change' });

export const syncRpcMethods = {
  'session.get': defineMethod({
    description: 'Who is signed in to which team server, with their roles; or signed out.',
    input: z.object({}),
    output: sessionSchema,
  }),
  'session.signIn': defineMethod({
    description: 'Step 1 of signing in: server address, email and password. May ask for an MFA code next.',
    input: z.strictObject({
      serverUrl: serverUrlSchema,
      email: z.string().trim().min(3, 'enter your email address').max(320),
      password: z.string().min(1, 'enter your password').max(1024),
    }),
    output: z.discriminatedUnion('step', [
      z.object({ step: z.literal('done'), session: signedInSessionSchema }),
      /** Core holds the challenge; call session.verifyMfa with the code. */
      z.object({ step: z.literal('mfa'), expiresAt: z.iso.datetime() }),
      /** The agency requires MFA and this account has none yet: enrol in the web console first. */
      z.object({ step: z.literal('mfaEnrollmentRequired') }),
    ]),
  }),
  'session.verifyMfa': defineMethod({
    description: 'Step 2 of signing in: a 6-digit authenticator code or a recovery code.',
    input: z
      .strictObject({
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/, 'enter the 6-digit code from your authenticator app')
          .optional(),
        recoveryCode: z.string().trim().min(8, 'a recovery code has at least 8 characters').max(64).optional(),
      })
      .refine((i) => (i.code === undefined) !== (i.recoveryCode === undefined), {
        message: 'enter either the 6-digit code or a recovery code',
      }),
    output: signedInSessionSchema,
  }),
  'session.signOut': defineMethod({
    description:
      'Signs out: revokes the session on the server when reachable, deletes the keychain entry and clears the ' +
      'synced cache. Refuses with CONFLICT while unsynced edits exist unless discardPending is true.',
    input: z.strictObject({ discardPending: z.boolean().default(false) }),
    output: z.object({ discarded: z.number().int().nonnegative() }),
  }),
  'sync.status': defineMethod({
    description: 'Connection, pending edits, last sync, errors and first-sync progress.',
    input: z.object({}),
    output: syncStatusSchema,
  }),
  'sync.now': defineMethod({
    description: 'Push then pull right away (resets the backoff). Resolves when that sync ends.',
    input: z.object({}),
    output: syncStatusSchema,
  }),
  'sync.issues': defineMethod({
    description: 'Conflicts and changes the server refused, newest first.',
    input: z.object({}),
    output: z.object({ issues: z.array(syncIssueSchema) }),
  }),
  'sync.resolveIssue': defineMethod({
    description:
      "Resolves one issue. 'mine' re-applies your value over theirs (a new change, based on the server's " +
      "version); 'theirs' keeps the server's value. Either way the issue is gone.",
    input: z.strictObject({ mutationId: z.number().int().positive(), choice: z.enum(['mine', 'theirs']) }),
    output: z.object({ issues: z.array(syncIssueSchema) }),
  }),
  'campaigns.update': defineMethod({
    description:
      'Edits a campaign locally at once and queues the change for the server (works offline). Only the ' +
      'fields given change.',
    input: z.strictObject({ campaignId: z.uuid(), changes: campaignChangesSchema }),
    output: z.object({ campaign: campaignSchema, pendingCount: z.number().int().nonnegative() }),
  }),
  'adCopies.update': defineMethod({
    description: 'Edits an ad copy variant locally at once and queues the change (works offline).',
    input: z.strictObject({ adCopyId: z.uuid(), changes: adCopyChangesSchema }),
    output: z.object({ copy: adCopySchema, pendingCount: z.number().int().nonnegative() }),
  }),
} satisfies Record<string, RpcMethodDefinition>;

export const syncRpcEvents = {
  'sync.status': defineEvent({
    description: 'The sync status changed (connection, pending count, progress, errors).',
    payload: syncStatusSchema,
  }),
  'session.changed': defineEvent({
    description: 'Signed in, signed out or the session expired.',
    payload: sessionSchema,
  }),
} satisfies Record<string, RpcEventDefinition>;

export type SyncRpcMethodName = keyof typeof syncRpcMethods;
