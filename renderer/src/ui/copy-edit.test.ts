import { describe, expect, it } from 'vitest';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import { AD_COPY_LIMITS } from '@kiki/shared/sync/sync-mutations';
import { copyChangesFromForm, copyFormValues } from './copy-edit';

const copy: AdCopy = {
  id: '0190f0a0-0000-7000-8000-0000000000d1',
  campaignId: '0190f0a0-0000-7000-8000-0000000000c1',
  variantLabel: 'A',
  headline: 'Gear up for spring',
  primaryText: 'Tents, boots and more.',
  callToAction: 'Shop now',
  generatedBy: 'ai',
  createdAt: '2026-03-01T00:00:00.000Z',
};

describe('copyChangesFromForm', () => {
  it('sends only the texts that changed; whitespace-only edits are no change', () => {
    expect(copyChangesFromForm(copy, { ...copyFormValues(copy), headline: ' Gear up for spring ' })).toEqual({
      ok: true,
      changes: null,
    });
    expect(copyChangesFromForm(copy, { ...copyFormValues(copy), callToAction: 'Buy today' })).toEqual({
      ok: true,
      changes: { callToAction: 'Buy today' },
    });
  });

  it('explains empty and over-long texts beside their fields', () => {
    const result = copyChangesFromForm(copy, {
      headline: '',
      primaryText: 'x'.repeat(AD_COPY_LIMITS.primaryText + 1),
      callToAction: 'Shop now',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.fields.headline).toBe('a headline cannot be empty');
    expect(result.errors.fields.primaryText).toMatch(/5000/);
  });
});
