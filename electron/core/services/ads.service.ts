import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { DateRange } from '@kiki/shared/dates';
import { addTotals, EMPTY_TOTALS } from '@kiki/shared/domain/metrics.schema';
import type { RpcOutput } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { findAd, findDeployment, listAdDailyMetrics } from './ads.repository';
import { findCampaign } from './campaigns.repository';
import { findClient } from './clients.repository';
import { listAdAssets, listCampaignCreatives } from './creatives.repository';

export async function adDetail(
  db: Kysely<Database>,
  input: { adId: string; range: DateRange },
): Promise<RpcOutput<'ads.detail'>> {
  const ad = await findAd(db, input.adId);
  if (ad === undefined) {
    throw new AppError(
      'NOT_FOUND',
      'That ad is not in the local cache; it may have been removed. Go back to its campaign.',
    );
  }
  const [campaign, deployment, creatives, assets, daily] = await Promise.all([
    findCampaign(db, ad.campaignId),
    findDeployment(db, ad.deploymentId),
    listCampaignCreatives(db, ad.campaignId),
    listAdAssets(db, ad.id),
    listAdDailyMetrics(db, ad, input.range),
  ]);
  const client = campaign === undefined ? undefined : await findClient(db, campaign.clientId);
  if (campaign === undefined || deployment === undefined || client === undefined) {
    throw new AppError(
      'INTERNAL',
      'The ad is missing its campaign, client or deployment in the local cache; sync again.',
    );
  }
  return {
    ad,
    campaign,
    client,
    deployment,
    copy: creatives.copies.find((c) => c.id === ad.adCopyId) ?? null,
    ...creatives,
    assets,
    totals: daily.reduce((sum, { date: _date, ...day }) => addTotals(sum, day), { ...EMPTY_TOTALS }),
    daily,
  };
}
