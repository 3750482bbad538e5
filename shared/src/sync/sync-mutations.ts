import { z } from 'zod';
import { isoDateSchema } from '../dates';
import { microsSchema } from '../money';
import { budgetTypeSchema, campaignStatusSchema } from '../domain/campaign.schema';

/**
 * The edits a desktop can make offline and push later. Each carries only the fields it changes, so edits to
 * different fields of one row merge; same-field races resolve in server commit order, except status and
 * budget, which carry `baseVersion` (the campaign's `statusVersion` / `budgetVersion` the user saw) and come
 * back as CONFLICT when someone else changed that field first.
 */
/** PostgreSQL text cannot hold U+0000: refused here so the edit fails on the device, not as a server error. */
const noNul = (what: string) =>
  [(s: string) => !s.includes('\u0000'), `${what} cannot contain NUL characters (U+0000); remove them`] as const;

export const campaignRenameArgsSchema = z.strictObject({
  campaignId: z.uuid(),
  name: z
    .string()
    .trim()
    .min(1, 'a campaign needs a name')
    .max(200, 'a campaign name is at most 200 characters')
    .refine(...noNul('a campaign name')),
});

export const campaignSetStatusArgsSchema = z.strictObject({
  campaignId: z.uuid(),
  status: campaignStatusSchema,
});

/** Budgets above the client's approval threshold become an approval request instead of a change. */
export const campaignSetBudgetArgsSchema = z.strictObject({
  campaignId: z.uuid(),
  budgetType: budgetTypeSchema,
  budgetMicros: microsSchema.min(0, 'a budget cannot be negative').max(1e15, 'that budget is implausibly large'),
});

export const campaignSetScheduleArgsSchema = z
  .strictObject({
    campaignId: z.uuid(),
    startDate: isoDateSchema,
    endDate: isoDateSchema.nullable(),
  })
  .refine((a) => a.endDate === null || a.endDate >= a.startDate, {
    message: 'the end date must be on or after the start date',
    path: ['endDate'],
  });

export const AD_COPY_LIMITS = { headline: 255, primaryText: 5000, callToAction: 64 } as const;

/** The editable text of a copy variant, each optional: an edit carries only what changed. */
export const adCopyTextFields = {
  headline: z
    .string()
    .trim()
    .min(1, 'a headline cannot be empty')
    .max(AD_COPY_LIMITS.headline)
    .refine(...noNul('a headline'))
    .optional(),
  primaryText: z
    .string()
    .trim()
    .min(1, 'the primary text cannot be empty')
    .max(AD_COPY_LIMITS.primaryText)
    .refine(...noNul('the primary text'))
    .optional(),
  callToAction: z
    .string()
    .trim()
    .min(1, 'a call to action cannot be empty')
    .max(AD_COPY_LIMITS.callToAction)
    .refine(...noNul('a call to action'))
    .optional(),
};

export const adCopyUpdateTextArgsSchema = z
  .strictObject({ adCopyId: z.uuid(), ...adCopyTextFields })
  .refine((a) => a.headline !== undefined || a.primaryText !== undefined || a.callToAction !== undefined, {
    message: 'change at least one of headline, primaryText, callToAction',
  });

/** Mutation name -> args schema. Adding an editable field means adding an entry here (and bumping nothing). */
export const syncMutationArgs = {
  'campaign.rename': campaignRenameArgsSchema,
  'campaign.setStatus': campaignSetStatusArgsSchema,
  'campaign.setBudget': campaignSetBudgetArgsSchema,
  'campaign.setSchedule': campaignSetScheduleArgsSchema,
  'adCopy.updateText': adCopyUpdateTextArgsSchema,
} as const;

export type SyncMutationName = keyof typeof syncMutationArgs;
export const syncMutationNameSchema = z.enum(
  Object.keys(syncMutationArgs) as [SyncMutationName, ...SyncMutationName[]],
);
export type SyncMutationArgs<N extends SyncMutationName> = z.infer<(typeof syncMutationArgs)[N]>;

/** Mutations whose target field is guarded by `baseVersion` (optimistic concurrency), and which field. */
export const VERSIONED_MUTATIONS: Readonly<Partial<Record<SyncMutationName, 'status' | 'budget'>>> = {
  'campaign.setStatus': 'status',
  'campaign.setBudget': 'budget',
};

/** A mutation with its args already validated for its name. */
export type TypedSyncMutation = {
  [N in SyncMutationName]: { name: N; args: SyncMutationArgs<N> };
}[SyncMutationName];

/** Validates args for a mutation name; the result is what both the desktop applier and the server run. */
export function parseMutationArgs(
  name: SyncMutationName,
  args: unknown,
): { success: true; mutation: TypedSyncMutation } | { success: false; error: z.ZodError } {
  const result = syncMutationArgs[name].safeParse(args);
  if (!result.success) return { success: false, error: result.error };
  return { success: true, mutation: { name, args: result.data } as TypedSyncMutation };
}
