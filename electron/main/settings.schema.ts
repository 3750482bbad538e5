import { z } from 'zod';

export const rectangleSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
});
export type Rectangle = z.infer<typeof rectangleSchema>;

export const windowStateSchema = z.object({ bounds: rectangleSchema, maximized: z.boolean() });
export type WindowState = z.infer<typeof windowStateSchema>;

/** Desktop preferences that are not secrets (those live in the OS keychain) and not data (that is core's). */
export const appSettingsSchema = z.object({
  /** Packaged builds check for updates on start unless the user turned it off. */
  checkForUpdates: z.boolean().default(true),
});
export type AppSettings = z.infer<typeof appSettingsSchema>;
