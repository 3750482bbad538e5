import { z } from 'zod';
import { currencySchema } from '../money';
import { timezoneSchema } from '../dates';

/** An advertiser brand the agency runs campaigns for. */
export const clientSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(200),
  currency: currencySchema,
  timezone: timezoneSchema,
});
export type Client = z.infer<typeof clientSchema>;
