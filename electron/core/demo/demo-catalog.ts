import { createHash } from 'node:crypto';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { CampaignObjective, CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import type { CatalogWriter } from '../services/catalog-write.repository';
import { addDays } from '../services/calendar-days';
import type { SeededRandom } from './seeded-random';

/** How big the demo agency is; the default is one agency with three clients, ~40 campaigns, ~600 ads. */
export interface DemoShape {
  clients: number;
  campaignsPerClient: number;
  adsPerCampaign: number;
  /** Share of campaigns that run for the whole two years; the rest run short flights. */
  alwaysOnShare: number;
  flightDays: readonly [min: number, max: number];
}

export interface ClientProfile {
  name: string;
  currency: string;
  timezone: string;
  /** Cost per click and average order value in currency units. */
  cpc: number;
  orderValue: number;
  /** Multipliers Monday..Sunday. */
  weekly: readonly number[];
  products: readonly string[];
}

const PROFILES: readonly ClientProfile[] = [
  {
    name: 'Acme Outdoor',
    currency: 'USD',
    timezone: 'America/New_York',
    cpc: 0.9,
    orderValue: 85,
    weekly: [0.95, 0.97, 1, 1, 1.05, 1.15, 1.1],
    products: ['Trail Runners', 'Rain Shell', 'Camp Stove', 'Hiking Poles', 'Down Jacket', 'Day Pack', 'Tent 2P'],
  },
  {
    name: 'Brennwald Küchen',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    cpc: 0.75,
    orderValue: 140,
    weekly: [1.1, 1.08, 1.05, 1, 0.95, 0.85, 0.9],
    products: ['Einbauküche', 'Küchenplanung', 'Arbeitsplatte', 'Dunstabzug', 'Spülen-Set', 'Küchenzeile'],
  },
  {
    name: 'Sakura Cosmetics',
    currency: 'JPY',
    timezone: 'Asia/Tokyo',
    cpc: 110,
    orderValue: 6800,
    weekly: [0.92, 0.95, 0.98, 1, 1.08, 1.12, 1.05],
    products: ['Serum', 'Cleansing Oil', 'Sheet Masks', 'Sun Milk', 'Lip Tint', 'Night Cream'],
  },
];

const EXTRA_CURRENCIES = [
  { currency: 'GBP', timezone: 'Europe/London', cpc: 0.8, orderValue: 60 },
  { currency: 'USD', timezone: 'America/Los_Angeles', cpc: 1.1, orderValue: 95 },
  { currency: 'EUR', timezone: 'Europe/Paris', cpc: 0.7, orderValue: 75 },
  { currency: 'JPY', timezone: 'Asia/Tokyo', cpc: 95, orderValue: 5200 },
] as const;

export function clientProfile(index: number): ClientProfile {
  const fixed = PROFILES[index];
  if (fixed !== undefined) return fixed;
  const base = EXTRA_CURRENCIES[index % EXTRA_CURRENCIES.length] ?? EXTRA_CURRENCIES[0];
  const template = PROFILES[index % PROFILES.length] ?? PROFILES[0]!;
  return {
    ...base,
    name: `Brand ${String(index + 1).padStart(4, '0')}`,
    weekly: template.weekly,
    products: template.products,
  };
}

const PLATFORMS: readonly Platform[] = ['meta', 'google_ads', 'tiktok'];
const THEMES = [
  'Spring Launch',
  'Summer Sale',
  'Back to School',
  'Black Friday',
  'Holiday Gifts',
  'Always-on',
  'Retargeting',
  'Brand Search',
  'New Arrivals',
  'Clearance',
];
const OBJECTIVES: readonly CampaignObjective[] = [
  'sales',
  'sales',
  'traffic',
  'leads',
  'awareness',
  'engagement',
  'app_installs',
];
const CTAS = ['Shop now', 'Learn more', 'Sign up', 'Get offer', 'Book now'];

export interface DemoCampaign {
  id: string;
  clientIndex: number;
  name: string;
  startDate: string;
  /** Last day with delivery: the end date, or "today" for campaigns still running. */
  lastDay: string;
  status: CampaignStatus;
  ads: { id: string; platform: Platform; baseImpressions: number }[];
  copyIds: string[];
}

export interface DemoClient {
  id: string;
  index: number;
  profile: ClientProfile;
  today: string;
  campaigns: DemoCampaign[];
  assetIds: string[];
}

export interface CatalogContext {
  random: SeededRandom;
  writer: CatalogWriter;
  organizationId: string;
  /** The generator's "now" in ms: ids and created-at stamps derive from it so runs are repeatable. */
  nowMs: number;
  /** Two years of history ending today: 730 days. */
  historyDays: number;
}

function stamp(ctx: CatalogContext, daysAgo: number): string {
  return new Date(ctx.nowMs - daysAgo * 86_400_000).toISOString();
}

export function createDemoClient(
  ctx: CatalogContext,
  shape: DemoShape,
  index: number,
  today: string,
  failedDeploymentWanted: boolean,
): DemoClient {
  const { random, writer } = ctx;
  const profile = clientProfile(index);
  const firstDay = addDays(today, -(ctx.historyDays - 1));
  const client: DemoClient = { id: random.uuid(ctx.nowMs), index, profile, today, campaigns: [], assetIds: [] };
  writer.insertClient({
    id: client.id,
    organizationId: ctx.organizationId,
    name: profile.name,
    currency: profile.currency,
    timezone: profile.timezone,
    budgetApprovalThresholdMicros: Math.round(profile.cpc * 2_000) * 1_000_000,
    createdAt: stamp(ctx, ctx.historyDays),
  });

  for (let a = 0; a < 6; a += 1) {
    const fileName = `${profile.products[a % profile.products.length]?.toLowerCase().replace(/\s+/g, '-')}-${a + 1}.${a % 3 === 2 ? 'mp4' : 'jpg'}`;
    const content = `${client.id}:${fileName}`;
    const id = random.uuid(ctx.nowMs);
    writer.insertUserAsset({
      id,
      clientId: client.id,
      fileName,
      mimeType: fileName.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg',
      sizeBytes: random.int(80_000, 9_000_000),
      sha256: createHash('sha256').update(content).digest('hex'),
      createdAt: stamp(ctx, random.int(30, ctx.historyDays)),
    });
    client.assetIds.push(id);
  }

  for (let c = 0; c < shape.campaignsPerClient; c += 1) {
    const product = random.pick(profile.products);
    const theme = random.pick(THEMES);
    const objective = random.pick(OBJECTIVES);
    const alwaysOn = random.next() < shape.alwaysOnShare;
    const flight = random.int(shape.flightDays[0], shape.flightDays[1]);
    const startOffset = alwaysOn ? 0 : random.int(0, Math.max(0, ctx.historyDays - 10));
    const startDate = addDays(firstDay, startOffset);
    const plannedEnd = alwaysOn ? null : addDays(startDate, flight - 1);
    const ended = plannedEnd !== null && plannedEnd < today;
    const status: CampaignStatus = ended
      ? random.pick(['completed', 'completed', 'archived'])
      : random.next() < 0.15
        ? 'paused'
        : 'active';
    const campaignPlatforms = PLATFORMS.filter(() => random.next() < 0.75);
    if (campaignPlatforms.length === 0) campaignPlatforms.push(random.pick(PLATFORMS));
    const campaign: DemoCampaign = {
      id: random.uuid(ctx.nowMs),
      clientIndex: index,
      name: `${theme} — ${product} (${objective.replace('_', ' ')})${c >= 10 ? ` #${c + 1}` : ''}`,
      startDate,
      lastDay: ended ? plannedEnd : today,
      status,
      ads: [],
      copyIds: [],
    };
    writer.insertCampaign({
      id: campaign.id,
      clientId: client.id,
      name: campaign.name,
      objective,
      status,
      budgetType: alwaysOn ? 'daily' : random.pick(['daily', 'lifetime']),
      budgetMicros: Math.round(profile.cpc * random.int(100, 2_000)) * 1_000_000,
      startDate,
      endDate: plannedEnd,
      platforms: campaignPlatforms,
      createdAt: stamp(ctx, ctx.historyDays - startOffset + 3),
      updatedAt: stamp(ctx, random.int(0, 20)),
    });

    for (const label of ['A', 'B', 'C']) {
      const id = random.uuid(ctx.nowMs);
      writer.insertAdCopy({
        id,
        campaignId: campaign.id,
        variantLabel: label,
        headline: `${product}: ${random.pick(['built to last', 'new season', 'save 20% today', 'free shipping', 'loved by 10,000 customers'])}`,
        primaryText: `${theme} at ${profile.name}. ${product} ${random.pick(['for every day', 'made better', 'you will actually use', 'in new colours'])}.`,
        callToAction: random.pick(CTAS),
        generatedBy: label === 'C' ? 'human' : 'ai',
        createdAt: stamp(ctx, ctx.historyDays - startOffset + 2),
      });
      campaign.copyIds.push(id);
    }
    writer.insertImagePrompt({
      id: random.uuid(ctx.nowMs),
      campaignId: campaign.id,
      prompt: `Product photo of ${product} in natural light, ${theme.toLowerCase()} mood, brand colours of ${profile.name}`,
      style: random.pick(['photographic', 'flat illustration', 'studio', null]),
      aspectRatio: '1:1',
      createdAt: stamp(ctx, ctx.historyDays - startOffset + 2),
    });
    writer.insertImagePrompt({
      id: random.uuid(ctx.nowMs),
      campaignId: campaign.id,
      prompt: `Lifestyle scene: a customer using ${product}, candid, warm tones`,
      style: 'photographic',
      aspectRatio: '9:16',
      createdAt: stamp(ctx, ctx.historyDays - startOffset + 2),
    });
    writer.insertVideoPrompt({
      id: random.uuid(ctx.nowMs),
      campaignId: campaign.id,
      prompt: `15-second vertical video: unboxing ${product}, quick cuts, end card "${random.pick(CTAS)}"`,
      durationSeconds: random.pick([6, 15, 30]),
      aspectRatio: '9:16',
      createdAt: stamp(ctx, ctx.historyDays - startOffset + 2),
    });

    const deploymentIds = new Map<Platform, string>();
    campaignPlatforms.forEach((platform, p) => {
      const id = random.uuid(ctx.nowMs);
      // One TikTok deployment in the demo fails, so the deployment screens have an error to show.
      const failed = failedDeploymentWanted && c === 1 && p === campaignPlatforms.length - 1;
      writer.insertDeployment({
        id,
        campaignId: campaign.id,
        platform,
        externalId: failed ? null : `${platform}-${random.int(10_000_000, 99_999_999)}`,
        status: failed ? 'failed' : ended ? 'removed' : status === 'paused' ? 'paused' : 'live',
        lastError: failed
          ? `${platform === 'tiktok' ? 'TikTok' : platform === 'meta' ? 'Meta' : 'Google Ads'} rejected the ad group: daily budget is below the platform minimum. Raise the budget and deploy again.`
          : null,
        deployedAt: failed ? null : stamp(ctx, ctx.historyDays - startOffset),
        updatedAt: stamp(ctx, random.int(0, 20)),
      });
      if (!failed) deploymentIds.set(platform, id);
    });
    const livePlatforms = [...deploymentIds.keys()];
    for (let a = 0; a < shape.adsPerCampaign && livePlatforms.length > 0; a += 1) {
      const platform = livePlatforms[a % livePlatforms.length] as Platform;
      const id = random.uuid(ctx.nowMs);
      const copyId = campaign.copyIds[a % campaign.copyIds.length] ?? null;
      writer.insertAd({
        id,
        campaignId: campaign.id,
        deploymentId: deploymentIds.get(platform) as string,
        platform,
        name: `${product} ${['Carousel', 'Single image', 'Video', 'Story', 'Search'][a % 5]} ${a + 1}`,
        status:
          status === 'active'
            ? random.next() < 0.1
              ? 'paused'
              : 'active'
            : status === 'paused'
              ? 'paused'
              : 'archived',
        adCopyId: copyId,
        externalId: `${platform}-ad-${random.int(100_000_000, 999_999_999)}`,
        createdAt: stamp(ctx, ctx.historyDays - startOffset),
      });
      writer.linkAdAsset(id, random.pick(client.assetIds));
      campaign.ads.push({ id, platform, baseImpressions: random.int(1_500, 25_000) });
    }
    client.campaigns.push(campaign);
  }
  return client;
}
