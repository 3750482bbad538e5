import type { z } from 'zod';
import { adCopyChangesSchema } from '@kiki/shared/contract/sync-contract';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import { formErrorsFromZod, type FormErrors } from '../lib/form-errors';

export interface CopyFormValues {
  headline: string;
  primaryText: string;
  callToAction: string;
}

export type AdCopyChanges = z.input<typeof adCopyChangesSchema>;

export function copyFormValues(copy: AdCopy): CopyFormValues {
  return { headline: copy.headline, primaryText: copy.primaryText, callToAction: copy.callToAction };
}

/** Only the texts that changed (trimmed, as the server stores them); `changes: null` when nothing did. */
export function copyChangesFromForm(
  copy: AdCopy,
  values: CopyFormValues,
): { ok: true; changes: AdCopyChanges | null } | { ok: false; errors: FormErrors } {
  const changes: AdCopyChanges = {};
  for (const key of ['headline', 'primaryText', 'callToAction'] as const) {
    if (values[key].trim() !== copy[key]) changes[key] = values[key];
  }
  if (Object.keys(changes).length === 0) return { ok: true, changes: null };
  const parsed = adCopyChangesSchema.safeParse(changes);
  return parsed.success ? { ok: true, changes } : { ok: false, errors: formErrorsFromZod(parsed.error) };
}
