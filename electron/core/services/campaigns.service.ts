import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { DateRange } from '@kiki/shared/dates';
import { addTotals, EMPTY_TOTALS } from '@kiki/shared/domain/metrics.schema';
import type { RpcOutput, RpcParsedInput } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { findCampaign, listCampaignPage } from './campaigns.repository';
import { findClient } from './clients.repository';
import { listAdsWithTotals, listDeployments } from './ads.repository';
import { listCampaignCreatives } from './creatives.repository';

export async function listCampaigns(
  db: Kysely<Database>,
  input: RpcParsedInput<'campaigns.list'>,
): Promise<RpcOutput<'campaigns.list'>> {
  return listCampaignPage(db, input);
}

export async function campaignDetail(
  db: Kysely<Database>,
  input: { campaignId: string; range: DateRange },
): Promise<RpcOutput<'campaigns.detail'>> {
  const campaign = await findCampaign(db, input.campaignId);
  if (campaign === undefined) {
    throw new AppError(
      'NOT_FOUND',
      'That campaign is not in the local cache; it may have been removed. Go back to the list.',
    );
  }
  const [client, deployments, ads, creatives] = await Promise.all([
    findClient(db, campaign.clientId),
    listDeployments(db, campaign.id),
    listAdsWithTotals(db, campaign.id, input.range),
    listCampaignCreatives(db, campaign.id),
  ]);
  if (client === undefined)
    throw new AppError('INTERNAL', 'The campaign has no client in the local cache; sync again.');
  return {
    campaign,
    client,
    totals: ads.reduce((sum, row) => addTotals(sum, row.totals), { ...EMPTY_TOTALS }),
    deployments,
    ads,
    ...creatives,
  };
}
