import type { Kysely } from 'kysely';
import type { AdCopy, ImagePrompt, UserAsset, VideoPrompt } from '@kiki/shared/domain/creative.schema';
import type { Database } from '../db/database.types';

export interface CampaignCreatives {
  copies: AdCopy[];
  imagePrompts: ImagePrompt[];
  videoPrompts: VideoPrompt[];
}

export async function listCampaignCreatives(db: Kysely<Database>, campaignId: string): Promise<CampaignCreatives> {
  const [copies, images, videos] = await Promise.all([
    db
      .selectFrom('ad_copies')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('variant_label')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('image_prompts')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('video_prompts')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    copies: copies.map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      variantLabel: r.variant_label,
      headline: r.headline,
      primaryText: r.primary_text,
      callToAction: r.call_to_action,
      generatedBy: r.generated_by as AdCopy['generatedBy'],
      createdAt: r.created_at,
    })),
    imagePrompts: images.map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      prompt: r.prompt,
      style: r.style,
      aspectRatio: r.aspect_ratio,
      createdAt: r.created_at,
    })),
    videoPrompts: videos.map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      prompt: r.prompt,
      durationSeconds: r.duration_seconds,
      aspectRatio: r.aspect_ratio,
      createdAt: r.created_at,
    })),
  };
}

/** The bring-your-own-creative files an ad uses. */
export async function listAdAssets(db: Kysely<Database>, adId: string): Promise<UserAsset[]> {
  const rows = await db
    .selectFrom('ad_assets as aa')
    .innerJoin('user_assets as u', 'u.id', 'aa.asset_id')
    .selectAll('u')
    .where('aa.ad_id', '=', adId)
    .orderBy('u.file_name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    clientId: r.client_id,
    fileName: r.file_name,
    mimeType: r.mime_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    createdAt: r.created_at,
  }));
}
