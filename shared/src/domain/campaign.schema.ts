import { z } from 'zod';
import { currencySchema, microsSchema } from '../money';
import { isoDateSchema } from '../dates';
import { platformSchema } from './platform.schema';

export const campaignStatusSchema = z.enum(['draft', 'active', 'paused', 'completed', 'archived']);
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

export const campaignObjectiveSchema = z.enum(['awareness', 'traffic', 'engagement', 'leads', 'sales', 'app_installs']);
export type CampaignObjective = z.infer<typeof campaignObjectiveSchema>;

export const budgetTypeSchema = z.enum(['daily', 'lifetime']);
export type BudgetType = z.infer<typeof budgetTypeSchema>;

export const deploymentStatusSchema = z.enum(['pending', 'deploying', 'live', 'paused', 'failed', 'removed']);
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const adStatusSchema = z.enum(['active', 'paused', 'rejected', 'archived']);
export type AdStatus = z.infer<typeof adStatusSchema>;

/** A campaign (the KIKI platform's "campaign deployment"): what is advertised, how, and with what budget. */
export const campaignSchema = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  name: z.string().min(1).max(200),
  objective: campaignObjectiveSchema,
  status: campaignStatusSchema,
  budgetType: budgetTypeSchema,
  budgetMicros: microsSchema.nonnegative(),
  currency: currencySchema,
  startDate: isoDateSchema,
  endDate: isoDateSchema.nullable(),
  platforms: z.array(platformSchema),
  updatedAt: z.iso.datetime(),
});
export type Campaign = z.infer<typeof campaignSchema>;

export const platformDeploymentSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  platform: platformSchema,
  externalId: z.string().nullable(),
  status: deploymentStatusSchema,
  lastError: z.string().nullable(),
  deployedAt: z.iso.datetime().nullable(),
});
export type PlatformDeployment = z.infer<typeof platformDeploymentSchema>;

export const adSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  deploymentId: z.uuid(),
  platform: platformSchema,
  name: z.string(),
  status: adStatusSchema,
  adCopyId: z.uuid().nullable(),
  externalId: z.string().nullable(),
});
export type Ad = z.infer<typeof adSchema>;
