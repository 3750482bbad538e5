import { z } from 'zod';

/** An AI-generated or hand-written copy variant of a campaign. */
export const adCopySchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  variantLabel: z.string(),
  headline: z.string(),
  primaryText: z.string(),
  callToAction: z.string(),
  generatedBy: z.enum(['ai', 'human']),
  createdAt: z.iso.datetime(),
});
export type AdCopy = z.infer<typeof adCopySchema>;

export const imagePromptSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  prompt: z.string(),
  style: z.string().nullable(),
  aspectRatio: z.string(),
  createdAt: z.iso.datetime(),
});
export type ImagePrompt = z.infer<typeof imagePromptSchema>;

export const videoPromptSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  prompt: z.string(),
  durationSeconds: z.number().int().positive(),
  aspectRatio: z.string(),
  createdAt: z.iso.datetime(),
});
export type VideoPrompt = z.infer<typeof videoPromptSchema>;

/** A bring-your-own-creative file, identified by the SHA-256 of its content. */
export const userAssetSchema = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  fileName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
});
export type UserAsset = z.infer<typeof userAssetSchema>;
