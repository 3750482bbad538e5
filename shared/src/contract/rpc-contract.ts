import { z } from 'zod';
import { dateRangeSchema, isoDateSchema } from '../dates';
import { currencySchema } from '../money';
import { clientSchema } from '../domain/client.schema';
import { metricTotalsSchema } from '../domain/metrics.schema';
import { platformSchema } from '../domain/platform.schema';
import { adSchema, campaignSchema, campaignStatusSchema, platformDeploymentSchema } from '../domain/campaign.schema';
import { adCopySchema, imagePromptSchema, userAssetSchema, videoPromptSchema } from '../domain/creative.schema';
import { defineMethod, type RpcMethodDefinition } from './define';
import { syncRpcMethods } from './sync-contract';

/** `null` means "All clients". */
const clientFilterSchema = z.uuid().nullable();

export const granularitySchema = z.enum(['day', 'week', 'month']);
export type Granularity = z.infer<typeof granularitySchema>;

export const campaignSortColumnSchema = z.enum([
  'name',
  'client',
  'status',
  'budget',
  'startDate',
  'impressions',
  'clicks',
  'spend',
  'conversions',
  'revenue',
  'roas',
  'ctr',
  'cpa',
]);
export type CampaignSortColumn = z.infer<typeof campaignSortColumnSchema>;

export const sortDirectionSchema = z.enum(['asc', 'desc']);

export const CAMPAIGN_PAGE_MAX = 500;

export const campaignListInputSchema = z.object({
  range: dateRangeSchema,
  clientIds: z.array(z.uuid()).max(500).default([]),
  platforms: z.array(platformSchema).default([]),
  statuses: z.array(campaignStatusSchema).default([]),
  search: z.string().trim().max(200).default(''),
  sort: z
    .object({ column: campaignSortColumnSchema, direction: sortDirectionSchema })
    .default({ column: 'spend', direction: 'desc' }),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(CAMPAIGN_PAGE_MAX).default(100),
});
export type CampaignListInput = z.input<typeof campaignListInputSchema>;

export const campaignListRowSchema = z.object({
  campaign: campaignSchema,
  clientName: z.string(),
  totals: metricTotalsSchema,
});
export type CampaignListRow = z.infer<typeof campaignListRowSchema>;

export const dailyMetricSchema = metricTotalsSchema.extend({ date: isoDateSchema });
export type DailyMetric = z.infer<typeof dailyMetricSchema>;

/**
 * The desktop RPC contract between the renderer and core. Every method validates its input and its
 * output with these schemas; results travel as `Result<T>` envelopes.
 */
export const rpcContract = {
  'app.status': defineMethod({
    description: 'What the local cache holds, for empty states and the about box.',
    input: z.object({}),
    output: z.object({
      appVersion: z.string(),
      schemaVersion: z.number().int(),
      counts: z.object({
        clients: z.number().int(),
        campaigns: z.number().int(),
        ads: z.number().int(),
        metricRows: z.number().int(),
      }),
      /** Last metric date present in the cache, if any: the natural "today" for date presets. */
      latestMetricDate: isoDateSchema.nullable(),
    }),
  }),

  'clients.list': defineMethod({
    description: 'All clients (advertiser brands) in the local cache, by name.',
    input: z.object({}),
    output: z.object({ clients: z.array(clientSchema) }),
  }),

  'dashboard.summary': defineMethod({
    description:
      'KPI totals for a range and for the same-length period just before it, one entry per currency ' +
      '(All clients never adds one currency to another).',
    input: z.object({ clientId: clientFilterSchema, range: dateRangeSchema }),
    output: z.object({
      range: dateRangeSchema,
      previousRange: dateRangeSchema,
      byCurrency: z.array(
        z.object({ currency: currencySchema, current: metricTotalsSchema, previous: metricTotalsSchema }),
      ),
    }),
  }),

  'dashboard.trend': defineMethod({
    description: 'Spend and revenue by day, ISO week or month, one series per currency.',
    input: z.object({
      clientId: clientFilterSchema,
      range: dateRangeSchema,
      granularity: granularitySchema,
    }),
    output: z.object({
      granularity: granularitySchema,
      series: z.array(
        z.object({
          currency: currencySchema,
          /** `bucket` is the first day of the day/week/month the point covers. */
          points: z.array(
            z.object({
              bucket: isoDateSchema,
              spendMicros: z.number().int(),
              revenueMicros: z.number().int(),
            }),
          ),
        }),
      ),
    }),
  }),

  'dashboard.platformBreakdown': defineMethod({
    description: 'Totals per ad platform for a range, one row per currency and platform.',
    input: z.object({ clientId: clientFilterSchema, range: dateRangeSchema }),
    output: z.object({
      rows: z.array(z.object({ currency: currencySchema, platform: platformSchema, totals: metricTotalsSchema })),
    }),
  }),

  'campaigns.list': defineMethod({
    description: 'One page of campaigns with their KPIs for a period; sorted, filtered and paged in SQL.',
    input: campaignListInputSchema,
    output: z.object({ total: z.number().int(), rows: z.array(campaignListRowSchema) }),
  }),

  'campaigns.detail': defineMethod({
    description: 'A campaign with its platform deployments, its ads and their KPIs for a period, and its creatives.',
    input: z.object({ campaignId: z.uuid(), range: dateRangeSchema }),
    output: z.object({
      campaign: campaignSchema,
      client: clientSchema,
      totals: metricTotalsSchema,
      deployments: z.array(platformDeploymentSchema),
      ads: z.array(z.object({ ad: adSchema, totals: metricTotalsSchema })),
      copies: z.array(adCopySchema),
      imagePrompts: z.array(imagePromptSchema),
      videoPrompts: z.array(videoPromptSchema),
    }),
  }),

  'ads.detail': defineMethod({
    description: "One ad's daily performance for a period, its copy variant and its campaign's creatives.",
    input: z.object({ adId: z.uuid(), range: dateRangeSchema }),
    output: z.object({
      ad: adSchema,
      campaign: campaignSchema,
      client: clientSchema,
      deployment: platformDeploymentSchema,
      copy: adCopySchema.nullable(),
      copies: z.array(adCopySchema),
      imagePrompts: z.array(imagePromptSchema),
      videoPrompts: z.array(videoPromptSchema),
      assets: z.array(userAssetSchema),
      totals: metricTotalsSchema,
      daily: z.array(dailyMetricSchema),
    }),
  }),

  ...syncRpcMethods,
} satisfies Record<string, RpcMethodDefinition>;

export type RpcContract = typeof rpcContract;
export type RpcMethodName = keyof RpcContract;
export type RpcInput<M extends RpcMethodName> = z.input<RpcContract[M]['input']>;
export type RpcParsedInput<M extends RpcMethodName> = z.output<RpcContract[M]['input']>;
export type RpcOutput<M extends RpcMethodName> = z.infer<RpcContract[M]['output']>;

export const RPC_METHOD_NAMES = Object.keys(rpcContract) as RpcMethodName[];
