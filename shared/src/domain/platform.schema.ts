import { z } from 'zod';

export const platformSchema = z.enum(['meta', 'google_ads', 'tiktok']);
export type Platform = z.infer<typeof platformSchema>;

export const PLATFORM_LABELS: Readonly<Record<Platform, string>> = {
  meta: 'Meta',
  google_ads: 'Google Ads',
  tiktok: 'TikTok',
};
